"""`events:putEvents` tasks fail on a failed entry and tag events with the execution.

AWS: the `arn:aws:states:::events:putEvents` integration fails the task when
PutEvents reports failed entries: error `EventBridge.FailedEntry`, cause the
PutEvents response (`Entries`, `FailedEntryCount`), then Retry and Catch as
for any error; the entries that succeeded are delivered. Each delivered event
carries the state machine's and the execution's ARNs in `resources`, after the
entry's own; a `Detail` given as JSON in the state is sent as its text.
(Histories and events recorded on AWS: LocalStack's
tests/aws/services/stepfunctions/v2/services/test_events_task_service.)

MiniStack 1.5.33: the task succeeds whatever `FailedEntryCount` says (a
publish to a missing bus passes silently), and `resources` is only what the
entry lists.

Fix (upstreamable in `_invoke_events_put_events`): the integration adds the
two ARNs, serializes an object `Detail`, and raises `EventBridge.FailedEntry`
when an entry failed. The task's execution is known through a context
variable set around `_execute_task` (the integration is not told it).
"""

from __future__ import annotations

import contextvars
import functools
import json
from typing import Any

from ministack.services import eventbridge
from ministack.services import stepfunctions as sfn

PUT_EVENTS = "arn:aws:states:::events:putEvents"
_task_arns: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("put_events_arns", default=None)


def apply() -> None:
    sfn._execute_task = _remembering_execution(sfn._execute_task)
    sfn._invoke_events_put_events = put_events
    sfn._SERVICE_DISPATCH[PUT_EVENTS] = put_events


def _remembering_execution(execute_task: Any) -> Any:
    @functools.wraps(execute_task)
    def wrapper(state_def: dict, raw_input: Any, execution: dict, ctx: dict) -> Any:
        token = _task_arns.set((ctx["StateMachine"]["Id"], ctx["Execution"]["Id"]))
        try:
            return execute_task(state_def, raw_input, execution, ctx)
        finally:
            _task_arns.reset(token)

    return wrapper


def put_events(_resource: str, input_data: dict[str, Any]) -> dict[str, Any]:
    arns = list(_task_arns.get() or ())
    entries = [_entry(entry, arns) for entry in input_data.get("Entries", [])]
    status, _headers, body = eventbridge._put_events({**input_data, "Entries": entries})
    result = json.loads(body) if body else {}
    if status >= 400:
        raise sfn._ExecutionError(result.get("__type", "EventBridge.EventBridgeException"), result.get("message", ""))
    if result.get("FailedEntryCount"):
        raise sfn._ExecutionError("EventBridge.FailedEntry", json.dumps(result))
    return result


def _entry(entry: dict[str, Any], arns: list[str]) -> dict[str, Any]:
    entry = {**entry, "Resources": [*entry.get("Resources", []), *arns]}
    if isinstance(entry.get("Detail"), (dict, list)):
        entry["Detail"] = json.dumps(entry["Detail"])
    return entry
