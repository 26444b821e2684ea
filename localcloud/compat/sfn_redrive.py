"""`RedriveExecution` restarts a failed, timed-out or aborted execution where it stopped.

AWS: RedriveExecution continues a STANDARD execution that ended FAILED,
TIMED_OUT or ABORTED less than 14 days ago, from its unsuccessful state, under
the same ARN and with the same definition and input; states that succeeded
are not run again, and in a Parallel or inline Map only the branches and
iterations that failed or were aborted (or never started) run. The history
goes on after `ExecutionRedriven` (`redriveCount`), the execution's timeout
starts again, and the call answers `redriveDate`. DescribeExecution reports
`redriveCount`, `redriveStatus` (`REDRIVABLE` / `NOT_REDRIVABLE`, with
`redriveStatusReason` such as "Execution is SUCCEEDED and cannot be
redriven") and, once redriven, `redriveDate`; ListExecutions reports
`redriveCount` and `redriveDate`. Anything else answers
`ExecutionNotRedrivable`. The "Step Functions Execution Status Change" events
carry the same fields. (API reference RedriveExecution; the fields as recorded
on AWS in LocalStack's tests/aws/services/stepfunctions/v2.)

MiniStack 1.5.33: "Unknown action: RedriveExecution", no redrive fields, and
status-change events that call only FAILED executions redrivable.

Fix (upstreamable as one handler and three fields): the action is added to
the Step Functions endpoint. It reopens the execution and walks it again with
`sfn_execution_history`'s walker, which resumes every line of the run from
the state it was in (`execution["progress"]`) and reuses the outputs of the
branches and iterations that had succeeded. DescribeExecution, ListExecutions
and the status-change events (as they are put on the bus) get the fields.
Redriving a Distributed Map's Map Run is not supported.
"""

from __future__ import annotations

import contextvars
import functools
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from ministack.core.responses import error_response_json, json_response, now_iso
from ministack.services import eventbridge
from ministack.services import stepfunctions as sfn

from localcloud.compat import sfn_execution_history as history

REDRIVABLE_STATUSES = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
REDRIVABLE_FOR = timedelta(days=14)
_ACTION = "RedriveExecution"
_STATUS_CHANGE = ("aws.states", "Step Functions Execution Status Change")


def apply() -> None:
    sfn.handle_request = _with_redrive_action(sfn.handle_request)
    sfn._describe_execution = _with_described_redrive_fields(sfn._describe_execution)
    sfn._list_executions = _with_listed_redrive_fields(sfn._list_executions)
    eventbridge._put_events = _status_changes_with_redrive_fields(eventbridge._put_events)


def _with_redrive_action(handle_request: Any) -> Any:
    @functools.wraps(handle_request)
    async def wrapper(method: str, path: str, headers: dict, body: bytes, query_params: dict) -> Any:
        if headers.get("x-amz-target", "").rsplit(".", 1)[-1] != _ACTION:
            return await handle_request(method, path, headers, body, query_params)
        try:
            data = json.loads(body) if body else {}
        except json.JSONDecodeError:
            return error_response_json("SerializationException", "Invalid JSON", 400)
        return sfn._finalize_response(redrive_execution(data))

    return wrapper


def redrive_execution(data: dict[str, Any]) -> Any:
    arn = data.get("executionArn", "")
    execution = sfn._executions.get(arn)
    if execution is None:
        return error_response_json("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'", 400)
    with history.lock:
        reason = not_redrivable_reason(execution)
        if reason:
            return error_response_json("ExecutionNotRedrivable", reason, 400)
        redrive_date = now_iso()
        count = execution.get("redriveCount", 0) + 1
        for stale in ("error", "cause"):
            execution.pop(stale, None)
        execution.update(status="RUNNING", stopDate=None, output=None, redriveCount=count, redriveDate=redrive_date)
        history.add_event(execution, "ExecutionRedriven", {"executionRedrivenEventDetails": {"redriveCount": count}})
    sfn._emit_execution_status_event(execution)
    threading.Thread(
        target=contextvars.copy_context().run, args=(sfn._run_execution, arn), name="sfn-redrive", daemon=True
    ).start()
    return json_response({"redriveDate": redrive_date})


def not_redrivable_reason(execution: dict[str, Any]) -> str | None:
    status = execution["status"]
    if status not in REDRIVABLE_STATUSES:
        return f"Execution is {status} and cannot be redriven"
    machine = sfn._state_machines.get(execution["stateMachineArn"]) or {}
    if execution.get("sync") or machine.get("type") == "EXPRESS":
        return "Executions of EXPRESS state machines cannot be redriven"
    stopped = _parsed(execution.get("stopDate"))
    if stopped and datetime.now(UTC) - stopped > REDRIVABLE_FOR:
        return f"Execution is {status} and its redrivable period of 14 days has passed"
    return None


def _describe_fields(execution: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {"redriveCount": execution.get("redriveCount", 0)}
    if execution.get("redriveDate"):
        fields["redriveDate"] = execution["redriveDate"]
    reason = not_redrivable_reason(execution)
    fields["redriveStatus"] = "NOT_REDRIVABLE" if reason else "REDRIVABLE"
    if reason:
        fields["redriveStatusReason"] = reason
    return fields


def _with_described_redrive_fields(describe: Any) -> Any:
    @functools.wraps(describe)
    def wrapper(data: dict) -> Any:
        status, headers, body = describe(data)
        execution = sfn._executions.get(data.get("executionArn"))
        if status != 200 or execution is None:
            return status, headers, body
        return json_response({**json.loads(body), **_describe_fields(execution)})

    return wrapper


def _with_listed_redrive_fields(list_executions: Any) -> Any:
    @functools.wraps(list_executions)
    def wrapper(data: dict) -> Any:
        status, headers, body = list_executions(data)
        if status != 200:
            return status, headers, body
        listing = json.loads(body)
        for item in listing.get("executions", []):
            execution = sfn._executions.get(item["executionArn"]) or {}
            item["redriveCount"] = execution.get("redriveCount", 0)
            if execution.get("redriveDate"):
                item["redriveDate"] = execution["redriveDate"]
        return json_response(listing)

    return wrapper


def _status_changes_with_redrive_fields(put_events: Any) -> Any:
    @functools.wraps(put_events)
    def wrapper(data: dict, *args: Any, **kwargs: Any) -> Any:
        entries = [_with_status_redrive_fields(entry) for entry in data.get("Entries", [])]
        return put_events({**data, "Entries": entries}, *args, **kwargs)

    return wrapper


def _with_status_redrive_fields(entry: dict[str, Any]) -> dict[str, Any]:
    if (entry.get("Source"), entry.get("DetailType")) != _STATUS_CHANGE:
        return entry
    detail = json.loads(entry.get("Detail") or "{}")
    execution = sfn._executions.get(detail.get("executionArn"))
    if execution is None:
        return entry
    fields = _describe_fields(execution)
    redriven = _parsed(execution.get("redriveDate"))
    detail.update(
        redriveCount=fields["redriveCount"],
        redriveDate=int(redriven.timestamp() * 1000) if redriven else None,
        redriveStatus=fields["redriveStatus"],
        redriveStatusReason=fields.get("redriveStatusReason"),
    )
    return {**entry, "Detail": json.dumps(detail)}


def _parsed(stamp: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None
    except ValueError:
        return None
