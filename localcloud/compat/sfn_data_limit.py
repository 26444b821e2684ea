"""A task result or state output over 256 KiB fails with `States.DataLimitExceeded`.

AWS: 256 KiB (UTF-8) is the most a task can return and a state can output.
A larger task result fails the task attempt (`LambdaFunctionFailed` /
`TaskFailed`, error `States.DataLimitExceeded`, cause "The state/task
'<resource>' returned a result with a size exceeding the maximum number of
bytes service limit."; Retry and Catch apply, `States.ALL` included); a
larger state output fails the execution. (Histories recorded on AWS:
LocalStack's tests/aws/services/stepfunctions/v2/error_handling/test_states_errors.)

MiniStack 1.5.33: any size passes, so a Lambda that returns a whole document
works locally and fails on AWS.

Fix (upstreamable as two checks in the interpreter): the results of
`_invoke_resource` and `_invoke_with_callback`, and the output of every state
handler, are measured; over the limit they raise AWS's error. (The input of a
state after `Parameters`, which AWS also limits, is not checked.)
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ministack.services import stepfunctions as sfn

from localcloud.compat.sfn_execution_history import TaskEvents

LIMIT_BYTES = 256 * 1024
_STATE_HANDLERS = (
    "_execute_pass",
    "_execute_task",
    "_execute_choice",
    "_execute_wait",
    "_execute_parallel",
    "_execute_map",
)


def apply() -> None:
    sfn._invoke_resource = _limited_result(sfn._invoke_resource)
    sfn._invoke_with_callback = _limited_result(sfn._invoke_with_callback)
    for name in _STATE_HANDLERS:
        setattr(sfn, name, _limited_output(getattr(sfn, name)))


def exceeds_limit(value: Any) -> bool:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()) > LIMIT_BYTES


def data_limit_exceeded(name: str) -> Exception:
    return sfn._ExecutionError(
        "States.DataLimitExceeded",
        f"The state/task '{name}' returned a result with a size exceeding the maximum number of bytes service limit.",
    )


def _limited_result(invoke: Any) -> Any:
    @functools.wraps(invoke)
    def wrapper(resource: str, *args: Any, **kwargs: Any) -> Any:
        result = invoke(resource, *args, **kwargs)
        if exceeds_limit(result):
            events = TaskEvents.of(resource)
            raise data_limit_exceeded(events.resource_type or resource)
        return result

    return wrapper


def _limited_output(handler: Any) -> Any:
    @functools.wraps(handler)
    def wrapper(state_def: dict, raw_input: Any, *args: Any) -> Any:
        output, next_state = handler(state_def, raw_input, *args)
        ctx = args[-1] if args else None
        if exceeds_limit(output):
            raise data_limit_exceeded((ctx or {}).get("State", {}).get("Name", ""))
        return output, next_state

    return wrapper
