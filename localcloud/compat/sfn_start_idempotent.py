"""StartExecution is idempotent for a running execution with the same name and input.

AWS: "StartExecution is idempotent for STANDARD workflows. For a STANDARD
workflow, if you call StartExecution with the same name and input as a
running execution, the call succeeds and return the same response as the
original request. If the execution is closed or if the input is different, it
returns a 400 ExecutionAlreadyExists error." (API reference, StartExecution.)

MiniStack 1.5.33: any existing execution of that name answers
`ExecutionAlreadyExists`, so a client retrying a start whose answer was lost
takes the "already exists" branch that AWS never takes for it.

Fix (upstreamable as a check before MiniStack's duplicate-name refusal): a
STANDARD execution that is RUNNING with the same input is answered with its
own `executionArn` and `startDate`; every other case is left to MiniStack.
"""

from __future__ import annotations

import functools
from typing import Any

from ministack.core.responses import get_account_id, get_region, json_response
from ministack.services import stepfunctions as sfn


def apply() -> None:
    sfn._start_execution = _answer_a_repeated_start(sfn._start_execution)


def _answer_a_repeated_start(start: Any) -> Any:
    @functools.wraps(start)
    def wrapper(data: dict) -> Any:
        running = _running_execution_with_same_input(data)
        if running is not None:
            return json_response({"executionArn": running["executionArn"], "startDate": running["startDate"]})
        return start(data)

    return wrapper


def _running_execution_with_same_input(data: dict) -> dict | None:
    name = data.get("name")
    machine_arn = sfn._resolve_state_machine_arn(str(data.get("stateMachineArn", "")).split("#", 1)[0])
    if not name or machine_arn is None:
        return None
    machine = sfn._state_machines[machine_arn]
    if machine.get("type", "STANDARD") != "STANDARD":
        return None
    arn = f"arn:aws:states:{get_region()}:{get_account_id()}:execution:{machine['name']}:{name}"
    execution = sfn._executions.get(arn)
    if execution and execution["status"] == "RUNNING" and execution["input"] == data.get("input", "{}"):
        return execution
    return None
