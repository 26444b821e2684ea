"""An execution's `TimeoutSeconds` ends it `TIMED_OUT`.

AWS: a state machine's top-level `TimeoutSeconds` bounds an execution's run:
when it passes, the execution stops with status `TIMED_OUT`, its history ends
with `ExecutionTimedOut`, and the "Step Functions Execution Status Change"
event (source `aws.states`, status `TIMED_OUT`) goes to the default event bus,
where a rule can react (Conveyor's demo frees the run's slot that way). A
redriven execution's timeout starts again.

MiniStack 1.5.33: the field is read by nothing; an execution runs until its
states end.

Fix (upstreamable as a timer in `_run_execution`): a timer started with each
run of an execution ends it through `sfn_execution_history.end_execution` (so
exactly one terminal event is logged, whichever comes first). The timer runs
at `LOCALCLOUD_SFN_WAIT_SCALE` like Wait states and Retry intervals, since what
usually fills an execution's time is its waits: at the tests' 0.1, a 7200 s
timeout passes after 720 s. A Task's own `TimeoutSeconds` is real time (it
bounds work, not waits): see `sfn_task_timeouts`.
"""

from __future__ import annotations

import contextvars
import functools
import json
import threading
from typing import Any

from ministack.services import stepfunctions as sfn

from localcloud.compat.sfn_execution_history import end_execution


def apply() -> None:
    sfn._run_execution = _bounded_by_timeout(sfn._run_execution)


def _bounded_by_timeout(run: Any) -> Any:
    @functools.wraps(run)
    def wrapper(exec_arn: str) -> None:
        execution = sfn._executions.get(exec_arn)
        seconds = _timeout_seconds(execution) if execution else None
        if not seconds or sfn._SFN_WAIT_SCALE <= 0:  # scale 0 skips every wait: nothing can time out
            run(exec_arn)
            return
        attempt = execution.get("redriveCount", 0)
        timer = threading.Timer(
            seconds * sfn._SFN_WAIT_SCALE, contextvars.copy_context().run, args=(_time_out, execution, attempt)
        )
        timer.daemon = True
        timer.start()
        try:
            run(exec_arn)
        finally:
            timer.cancel()

    return wrapper


def _timeout_seconds(execution: dict[str, Any]) -> float | None:
    machine = sfn._state_machines.get(execution["stateMachineArn"])
    try:
        seconds = json.loads(machine["definition"]).get("TimeoutSeconds") if machine else None
    except json.JSONDecodeError:
        return None
    return float(seconds) if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else None


def _time_out(execution: dict[str, Any], attempt: int) -> None:
    end_execution(execution, attempt, "TIMED_OUT", "ExecutionTimedOut", {"executionTimedOutEventDetails": {}})
