"""A Task's `TimeoutSecondsPath`, `HeartbeatSeconds` and `HeartbeatSecondsPath` are enforced.

AWS: `TimeoutSecondsPath` and `HeartbeatSecondsPath` take the task's timeout
and heartbeat interval from the state's input (a positive integer). A callback
task (`.waitForTaskToken`) with `HeartbeatSeconds` fails when no
`SendTaskHeartbeat` (or result) arrives for that long: the history logs
`TaskTimedOut` with error `States.Timeout`, and `Retry`/`Catch` can match it as
`States.HeartbeatTimeout` (or `States.Timeout`, or `States.ALL`). Histories
recorded on AWS (LocalStack's tests/aws/services/stepfunctions/v2/timeouts)
show `timeoutInSeconds`/`heartbeatInSeconds` in `TaskScheduled`.

MiniStack 1.5.33: `TimeoutSeconds` is enforced, the two `...Path` fields and
`HeartbeatSeconds` are ignored: a callback task whose worker died waits for its
full `TimeoutSeconds` (99999 s by default).

Fix (upstreamable in `_execute_task` and `_invoke_with_callback`): the paths
are resolved against the state's input before the task runs (a value that is
not a positive integer fails the execution with `States.Runtime`); a watchdog
thread per callback task fails it with `States.HeartbeatTimeout` when the
task's heartbeat (MiniStack's `_task_tokens[token]["heartbeat"]`, set by
SendTaskHeartbeat) stops changing for `HeartbeatSeconds`; and that error name
matches retriers and catchers that name it, `States.Timeout` or `States.ALL`.
Task timeouts are real time, not scaled by `LOCALCLOUD_SFN_WAIT_SCALE`: they
bound work done by Lambda functions and workers, which the scale does not
speed up. Activities keep MiniStack's behaviour (no heartbeat).
"""

from __future__ import annotations

import contextvars
import functools
import json
import threading
import time
from typing import Any

from ministack.services import stepfunctions as sfn

HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
_TIMED_FIELDS = ("TimeoutSeconds", "HeartbeatSeconds")
_WATCH_INTERVAL_SECONDS = 0.1


def apply() -> None:
    sfn._execute_task = _with_resolved_timeouts(sfn._execute_task)
    sfn._invoke_with_callback = _with_heartbeat(sfn._invoke_with_callback)
    sfn._error_matches = _heartbeat_timeout_matches(sfn._error_matches)


def _with_resolved_timeouts(execute_task: Any) -> Any:
    @functools.wraps(execute_task)
    def wrapper(state_def: dict, raw_input: Any, execution: dict, ctx: dict) -> Any:
        if any(f"{field}Path" in state_def for field in _TIMED_FIELDS):
            state_def = resolved_timeouts(state_def, raw_input)
        return execute_task(state_def, raw_input, execution, ctx)

    return wrapper


def resolved_timeouts(state_def: dict[str, Any], state_input: Any) -> dict[str, Any]:
    resolved = dict(state_def)
    for field in _TIMED_FIELDS:
        path = state_def.get(f"{field}Path")
        if path is None:
            continue
        value = sfn._resolve_path(path, state_input)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise sfn._ExecutionError(
                "States.Runtime",
                f"The {field}Path parameter does not reference a positive integer: {path} == {json.dumps(value)}",
            )
        resolved[field] = value
    return resolved


def _with_heartbeat(invoke_with_callback: Any) -> Any:
    @functools.wraps(invoke_with_callback)
    def wrapper(resource: str, input_data: Any, token: str, state_def: dict) -> Any:
        seconds = state_def.get("HeartbeatSeconds")
        if not seconds:
            return invoke_with_callback(resource, input_data, token, state_def)
        done = threading.Event()
        watchdog = threading.Thread(
            target=contextvars.copy_context().run,  # _task_tokens is scoped by account and region
            args=(_watch_heartbeat, token, float(seconds), done),
            name="sfn-heartbeat",
            daemon=True,
        )
        watchdog.start()
        try:
            return invoke_with_callback(resource, input_data, token, state_def)
        finally:
            done.set()

    return wrapper


def _watch_heartbeat(token: str, seconds: float, done: threading.Event) -> None:
    """Fail the callback task once its heartbeat has not changed for `seconds`."""
    deadline = time.monotonic() + seconds
    seen: object = None
    while not done.wait(_WATCH_INTERVAL_SECONDS):
        info = sfn._task_tokens.get(token)
        if info is None:  # not registered yet
            continue
        if info.get("heartbeat") != seen:
            seen, deadline = info.get("heartbeat"), time.monotonic() + seconds
        elif time.monotonic() >= deadline:
            info["error"] = {"Error": HEARTBEAT_TIMEOUT, "Cause": ""}  # AWS logs no cause
            info["event"].set()
            return


def _heartbeat_timeout_matches(error_matches: Any) -> Any:
    @functools.wraps(error_matches)
    def wrapper(error_equals: list[str], error: str) -> bool:
        if error == HEARTBEAT_TIMEOUT:
            return HEARTBEAT_TIMEOUT in error_equals or error_matches(error_equals, "States.Timeout")
        return error_matches(error_equals, error)

    return wrapper
