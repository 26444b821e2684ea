"""Execution history shaped like AWS's: the event types, fields and order a console can draw.

AWS: `GetExecutionHistory` logs every state as `<Type>StateEntered` /
`<Type>StateExited` with `inputDetails`/`outputDetails`. A Task attempt on a
Lambda function ARN logs `LambdaFunctionScheduled` (resource, input) /
`LambdaFunctionStarted` / `LambdaFunctionSucceeded|Failed|TimedOut`; on a
service integration (`arn:aws:states:::lambda:invoke`, `events:putEvents`,
`aws-sdk:*`, ...) `TaskScheduled` (resourceType, resource, region, parameters) /
`TaskStarted` / `TaskSucceeded|Failed|TimedOut`. A Parallel logs
`ParallelStateStarted`, its branches' states, then `ParallelStateSucceeded|Failed`;
a Map logs `MapStateStarted` (length) and per item `MapIterationStarted`, the
item's states, `MapIterationSucceeded|Failed|Aborted`, then
`MapStateSucceeded|Failed`. Every event has `previousEventId`: the event it
follows on its own line of the run (0 for the first state), so concurrent
branches and iterations form separate chains that join where the Map or
Parallel ends. A `States.Runtime` error is never retried or caught and fails
the execution with the state named in its cause. (Shapes and order checked
against histories recorded on AWS: LocalStack's snapshot tests,
tests/aws/services/stepfunctions/v2/*.snapshot.json.)

MiniStack 1.5.33: every Task logs `TaskScheduled`/`TaskSucceeded`/`TaskFailed`
(no `TaskStarted`, no `LambdaFunction*`), no `previousEventId` and no data
details; the states inside Map and Parallel log nothing; event ids come from
the list length, so two branches can log the same id; events keep arriving
after an execution was stopped.

Fix (upstreamable as a rewrite of the walker around `_add_event`): the state
walker (`_run_execution`, `_run_sub_machine`, `_execute_task`,
`_execute_parallel`, inline `_execute_map`) is replaced by one that logs
through a `Frame` per line of the run: ids under one lock, each event linked
to its frame's previous one, nothing logged once the execution has ended or a
Map/Parallel has given up on the frame. Everything else stays MiniStack's:
path and JSONata processing, mocked responses, callbacks and the integrations
are MiniStack's functions, looked up at call time so other fixes can wrap them.
Distributed Maps keep MiniStack's walk (Map Runs and child executions).

The walker serves three other fixes: retries wait `_retry_delay_seconds`
(MiniStack's inline rule, extracted unchanged; `sfn_retry_backoff` replaces
it), every frame records where it is in `execution["progress"]` so
`sfn_redrive` can resume a failed run, and a run ends only through
`end_execution`, which `sfn_execution_timeout` shares, so an execution logs
exactly one terminal event.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import copy
import functools
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ministack.core.responses import get_region, new_uuid, now_iso
from ministack.services import stepfunctions as sfn

log = logging.getLogger("localcloud.compat")

TERMINAL_EVENTS = frozenset({"ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"})
NOT_TRUNCATED = {"truncated": False}
# AWS logs a heartbeat timeout as States.Timeout; Retry and Catch may still
# name States.HeartbeatTimeout (see sfn_task_timeouts).
_REPORTED_ERRORS = {"States.HeartbeatTimeout": "States.Timeout"}
_TIMEOUT = "States.Timeout"
_RUNTIME = "States.Runtime"
_RUNTIME_CAUSE_PREFIX = "An error occurred while executing the state"
_SERVICE_INTEGRATION = re.compile(r"^arn:[^:]+:states:::(?P<integration>.+)$")
# MiniStack's own pause before an execution's first state: StartExecution answers first.
_START_DELAY_SECONDS = 0.15

# Held while an event is logged or an execution's status changes.
lock = threading.RLock()
_frame: contextvars.ContextVar[Frame | None] = contextvars.ContextVar("sfn_history_frame", default=None)
_distributed_map: Callable[..., Any] = sfn._execute_map


class RunStopped(Exception):
    """The execution ended (stopped, timed out, failed elsewhere) or the Map or
    Parallel running this line gave up on it: walk no further."""


@dataclass(eq=False)
class Frame:
    """One line of a run: the execution itself, a Parallel branch, or a Map
    iteration (or the thread running iterations one after another)."""

    execution: dict[str, Any]
    attempt: int  # the execution's redriveCount when this run started
    progress: dict[str, Any] = field(default_factory=dict)
    parent: Frame | None = None
    source: int = 0  # the event the next one follows
    last: int = 0  # the newest event logged on this line
    state_type: str | None = None  # the state this line is in, between Entered and Exited
    resuming: bool = False  # its current state continues a failed run (redrive)
    abandoned: bool = False

    def child(self, progress: dict[str, Any] | None = None) -> Frame:
        return Frame(
            self.execution, self.attempt, progress if progress is not None else {}, self, self.source, self.source
        )

    def running(self) -> bool:
        frame: Frame | None = self
        while frame is not None:
            if frame.abandoned:
                return False
            frame = frame.parent
        return self.execution["status"] == "RUNNING" and self.execution.get("redriveCount", 0) == self.attempt


def apply() -> None:
    global _distributed_map
    _distributed_map = sfn._execute_map
    sfn._add_event = add_event
    sfn._run_execution = run_execution
    sfn._run_sub_machine = run_sub_machine
    sfn._execute_task = execute_task
    sfn._execute_parallel = execute_parallel
    sfn._execute_map = execute_map
    sfn._retry_delay_seconds = ministack_retry_delay_seconds
    sfn._start_execution = _with_started_event_details(sfn._start_execution)
    sfn._start_sync_execution = _with_started_event_details(sfn._start_sync_execution)


def ministack_retry_delay_seconds(retrier: dict[str, Any], retries_so_far: int) -> float:
    """MiniStack's rule, as it stands inline in `_execute_task`."""
    interval = retrier.get("IntervalSeconds", 1)
    return float(min(interval * (retrier.get("BackoffRate", 2.0) ** retries_so_far), 60))


# ── events ──────────────────────────────────────────────────


def record(frame: Frame, event_type: str, details: dict[str, Any] | None = None, *, advance: bool = True) -> None:
    """Log an event on `frame`'s line; `advance=False` for the events AWS does
    not chain on (iteration ends, Map/Parallel success)."""
    with lock:
        if not frame.running():
            return
        event = _append(frame.execution, event_type, frame.source, details)
        frame.last = event["id"]
        if advance:
            frame.source = event["id"]


def add_event(execution: dict[str, Any], event_type: str, details: dict[str, Any] | None = None) -> dict | None:
    """MiniStack's `_add_event` for events logged off the walker (StopExecution's
    ExecutionAborted, RedriveExecution's ExecutionRedriven): it follows the
    newest event; only ExecutionRedriven follows a terminal one."""
    with lock:
        events = execution["events"]
        if events and events[-1]["type"] in TERMINAL_EVENTS and event_type != "ExecutionRedriven":
            return None
        return _append(execution, event_type, events[-1]["id"] if events else 0, details)


def end_execution(
    execution: dict[str, Any],
    attempt: int,
    status: str,
    event_type: str,
    details: dict[str, Any],
    previous: int | None = None,
    **fields: Any,
) -> bool:
    """The one way a run ends: sets the status and logs the terminal event, unless
    the run already ended (or was redriven since). Returns whether it did."""
    with lock:
        if execution["status"] != "RUNNING" or execution.get("redriveCount", 0) != attempt:
            return False
        execution.update(status=status, stopDate=now_iso(), **fields)
        events = execution["events"]
        _append(execution, event_type, previous if previous is not None else events[-1]["id"], details)
    sfn._emit_execution_status_event(execution)
    return True


def _append(execution: dict[str, Any], event_type: str, previous: int, details: dict[str, Any] | None) -> dict:
    events = execution["events"]
    event = {"id": len(events) + 1, "previousEventId": previous, "type": event_type, "timestamp": now_iso()}
    event.update(details or {})
    events.append(event)
    return event


def payload(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _with_started_event_details(start: Callable[[dict], Any]) -> Callable[[dict], Any]:
    """ExecutionStarted, written by MiniStack's StartExecution, gets AWS's fields too."""

    @functools.wraps(start)
    def wrapper(data: dict) -> Any:
        response = start(data)
        status, _headers, body = response
        if status == 200:
            execution = sfn._executions.get(json.loads(body).get("executionArn"))
            if execution and execution["events"]:
                started = execution["events"][0]
                started.setdefault("previousEventId", 0)
                started.get("executionStartedEventDetails", {}).setdefault("inputDetails", dict(NOT_TRUNCATED))
        return response

    return wrapper


# ── the walk ────────────────────────────────────────────────


def run_execution(exec_arn: str) -> None:
    """Walk an execution from its start, or, after a redrive, from where it failed."""
    execution = sfn._executions.get(exec_arn)
    if not execution:
        return
    time.sleep(_START_DELAY_SECONDS)
    attempt = execution.get("redriveCount", 0)
    root = Frame(execution, attempt, execution.setdefault("progress", {}))
    if attempt:
        root.source = root.last = execution["events"][-1]["id"]  # ExecutionRedriven
    redriven = attempt > 0 and bool(root.progress.get("state"))

    machine = sfn._state_machines.get(execution["stateMachineArn"])
    if not machine:
        _fail(root, "StateMachineDeleted", "State machine no longer exists")
        return
    try:
        definition = json.loads(machine["definition"])
        execution_input = json.loads(execution["input"])
    except json.JSONDecodeError:
        _fail(root, "InvalidDefinition", "Could not parse the definition or the input")
        return
    states = definition.get("States", {})
    start_at = root.progress["state"] if redriven else definition.get("StartAt")
    if start_at not in states:
        _fail(root, "InvalidDefinition", f"StartAt state '{start_at}' not found")
        return

    ctx = {
        "QueryLanguage": definition.get("QueryLanguage", "JSONPath"),
        "Execution": {
            "Id": exec_arn,
            "Input": execution_input,
            "Name": execution["name"],
            "StartTime": execution["startDate"],
            "RedriveCount": attempt,
        },
        "StateMachine": {"Id": execution["stateMachineArn"], "Name": machine["name"]},
        "variables": {},  # JSONata workflow variables, as in MiniStack's walker
    }
    data = root.progress["input"] if redriven else execution_input
    try:
        output = run_states(states, start_at, data, root, ctx, resume=redriven)
    except sfn._ExecutionError as err:
        _fail(root, err.error, err.cause)
        return
    except RunStopped:
        return
    except Exception as exc:  # a bug in a state's processing must still end the run
        log.exception("unexpected error in execution %s", exec_arn)
        _fail(root, _RUNTIME, str(exc))
        return
    text = payload(output)
    end_execution(
        execution,
        attempt,
        "SUCCEEDED",
        "ExecutionSucceeded",
        {"executionSucceededEventDetails": {"output": text, "outputDetails": dict(NOT_TRUNCATED)}},
        previous=root.source,
        output=text,
    )


def run_sub_machine(states: dict, start_at: str, input_data: Any, execution: dict, ctx: dict) -> Any:
    """MiniStack's entry for a Distributed Map's child execution: its own history."""
    frame = Frame(execution, execution.get("redriveCount", 0), source=len(execution["events"]))
    return run_states(states, start_at, copy.deepcopy(input_data), frame, ctx)


def run_states(
    states: dict[str, Any], name: str | None, data: Any, frame: Frame, ctx: dict[str, Any], *, resume: bool = False
) -> Any:
    """Walk states from `name` on `frame` and return the last one's output.
    `resume`: the first state continues where a failed run left it (redrive)."""
    token = _frame.set(frame)
    try:
        while name:
            if not frame.running():
                raise RunStopped
            state_def = states.get(name)
            if not state_def:
                raise sfn._ExecutionError(_RUNTIME, f"State '{name}' not found in definition")
            data, name = _run_state(name, state_def, data, frame, ctx, resume=resume)
            resume = False
        return data
    finally:
        _frame.reset(token)


def _run_state(
    name: str, state_def: dict[str, Any], data: Any, frame: Frame, ctx: dict[str, Any], *, resume: bool
) -> tuple[Any, str | None]:
    kind = state_def.get("Type", "")
    if not resume:
        frame.progress.update(state=name, input=data, children={}, outputs={})
    ctx["State"] = {"Name": name, "EnteredTime": now_iso(), "RetryCount": 0}
    record(
        frame,
        f"{kind}StateEntered",
        {"stateEnteredEventDetails": {"name": name, "input": payload(data), "inputDetails": dict(NOT_TRUNCATED)}},
    )
    entered_id = frame.last
    frame.state_type, frame.resuming = kind, resume
    try:
        if kind == "Succeed":
            output, next_name = _succeed(state_def, data, ctx), None
        elif kind == "Fail":
            raise sfn._ExecutionError(*sfn._fail_state_error(state_def, data, ctx))
        elif kind in ("Task", "Parallel", "Map"):
            handler = {"Task": sfn._execute_task, "Parallel": sfn._execute_parallel, "Map": sfn._execute_map}[kind]
            output, next_name = handler(state_def, data, frame.execution, ctx)
        elif kind in ("Pass", "Choice", "Wait"):
            handler = {"Pass": sfn._execute_pass, "Choice": sfn._execute_choice, "Wait": sfn._execute_wait}[kind]
            output, next_name = handler(state_def, data, ctx)
        else:
            raise sfn._ExecutionError(_RUNTIME, f"Unknown state type: {kind}")
    except sfn._ExecutionError as err:
        if err.error == _RUNTIME and not str(err.cause).startswith(_RUNTIME_CAUSE_PREFIX):
            err.cause = f"{_RUNTIME_CAUSE_PREFIX} '{name}' (entered at the event id #{entered_id}). {err.cause}"
        raise
    record(
        frame,
        f"{kind}StateExited",
        {"stateExitedEventDetails": {"name": name, "output": payload(output), "outputDetails": dict(NOT_TRUNCATED)}},
    )
    frame.state_type, frame.resuming = None, False
    return output, next_name


def _succeed(state_def: dict[str, Any], data: Any, ctx: dict[str, Any]) -> Any:
    return sfn._apply_output_path(state_def, sfn._apply_input_path(state_def, data, ctx), ctx)


def _fail(frame: Frame, error: str, cause: str) -> None:
    details = {"error": error}
    if cause:
        details["cause"] = cause
    end_execution(
        frame.execution,
        frame.attempt,
        "FAILED",
        "ExecutionFailed",
        {"executionFailedEventDetails": details},
        previous=frame.source,
        error=error,
        cause=cause,
        output=json.dumps({"Error": error, "Cause": cause}),  # MiniStack's record of a failure
    )


def current_frame(execution: dict[str, Any]) -> Frame:
    frame = _frame.get()
    if frame is None or frame.execution is not execution:
        frame = Frame(execution, execution.get("redriveCount", 0), source=len(execution["events"]))
    return frame


# ── Retry and Catch ─────────────────────────────────────────


def reported_error(err: Exception) -> tuple[str, str]:
    """The error name and cause as AWS logs and hands to a Catch."""
    return _REPORTED_ERRORS.get(err.error, err.error), err.cause


def _retry(retriers: list[dict], err: Exception, retry_counts: dict[int, int], frame: Frame) -> bool:
    """Wait and count a retry if a retrier takes this error; States.Runtime is never retried."""
    if err.error == _RUNTIME:
        return False
    retrier, index = sfn._find_matching_retrier(retriers, err.error, retry_counts)
    if retrier is None:
        return False
    count = retry_counts.get(index, 0)
    sfn._scaled_sleep(sfn._retry_delay_seconds(retrier, count))
    retry_counts[index] = count + 1
    if not frame.running():
        raise RunStopped
    return True


def _catch(state_def: dict[str, Any], raw_input: Any, ctx: dict[str, Any], err: Exception) -> tuple[Any, str] | None:
    """The caught output and next state, if a catcher takes this error; States.Runtime is never caught."""
    if err.error == _RUNTIME:
        return None
    catcher = sfn._find_matching_catcher(state_def.get("Catch", []), err.error)
    if catcher is None:
        return None
    error, cause = reported_error(err)
    language = sfn._state_query_language(state_def, ctx)
    return sfn._apply_catcher(catcher, raw_input, ctx, language, {"Error": error, "Cause": cause}), catcher["Next"]


# ── Task ────────────────────────────────────────────────────


@dataclass(frozen=True)
class TaskEvents:
    """How a Task's resource is logged: `LambdaFunction*`, `Activity*` or `Task*` events."""

    prefix: str
    resource: str
    resource_type: str | None = None  # service integrations only

    @classmethod
    def of(cls, resource: str) -> TaskEvents:
        match = _SERVICE_INTEGRATION.match(resource)
        if match:
            integration = match["integration"]
            if integration.startswith("aws-sdk:"):
                _, service, action = integration.split(":", 2)
                return cls("Task", action, f"aws-sdk:{service}")
            service, _, action = integration.partition(":")
            return cls("Task", action, service)
        if ":activity:" in resource:
            return cls("Activity", resource)
        return cls("LambdaFunction", resource)

    @property
    def _key(self) -> str:
        return self.prefix[0].lower() + self.prefix[1:]

    def _details(self, event: str, fields: dict[str, Any]) -> dict[str, Any]:
        if self.resource_type is not None:
            fields = {"resourceType": self.resource_type, "resource": self.resource, **fields}
        return {f"{self._key}{event}EventDetails": fields}

    def scheduled(self, effective: Any, state_def: dict[str, Any]) -> dict[str, Any]:
        if self.resource_type is not None:
            fields = {"region": get_region(), "parameters": payload(effective)}
        else:
            fields = {"resource": self.resource, "input": payload(effective), "inputDetails": dict(NOT_TRUNCATED)}
        if "TimeoutSeconds" in state_def:
            fields["timeoutInSeconds"] = state_def["TimeoutSeconds"]
        if "HeartbeatSeconds" in state_def and self.prefix != "LambdaFunction":
            fields["heartbeatInSeconds"] = state_def["HeartbeatSeconds"]
        return self._details("Scheduled", fields)

    def started(self) -> dict[str, Any]:
        return self._details("Started", {}) if self.resource_type is not None else {}

    def succeeded(self, result: Any) -> dict[str, Any]:
        return self._details("Succeeded", {"output": payload(result), "outputDetails": dict(NOT_TRUNCATED)})

    def ended_in_error(self, err: Exception) -> tuple[str, dict[str, Any]]:
        error, cause = reported_error(err)
        event = "TimedOut" if error == _TIMEOUT else "Failed"
        fields = {"error": error, **({"cause": cause} if cause else {})}
        return f"{self.prefix}{event}", self._details(event, fields)


def execute_task(state_def: dict[str, Any], raw_input: Any, execution: dict[str, Any], ctx: dict[str, Any]):
    """A Task's attempts, each logged Scheduled / Started / Succeeded|Failed|TimedOut,
    under the state's Retry and Catch; the result is processed after the last attempt."""
    frame = current_frame(execution)
    resource = state_def.get("Resource", "")
    events = TaskEvents.of(resource)
    jsonata = sfn._state_query_language(state_def, ctx) == "JSONata"
    mocked = _mocked_response(state_def, execution, ctx)
    if ".waitForTaskToken" in resource:
        ctx["Task"] = {"Token": new_uuid()}
    retry_counts: dict[int, int] = {}
    while True:
        ctx["State"]["RetryCount"] = sum(retry_counts.values())
        try:
            if jsonata:
                effective = sfn._apply_jsonata_arguments(state_def, raw_input, ctx)
            else:
                effective = sfn._apply_parameters(state_def, sfn._apply_input_path(state_def, raw_input, ctx), ctx)
        except sfn._ExecutionError as err:
            if caught := _catch(state_def, raw_input, ctx, err):
                return caught
            raise
        record(frame, f"{events.prefix}Scheduled", events.scheduled(effective, state_def))
        if events.prefix != "Activity":  # ActivityStarted is a worker's GetActivityTask, not seen here
            record(frame, f"{events.prefix}Started", events.started())
        try:
            result = mocked(effective) if mocked else _invoke(resource, effective, state_def, ctx)
        except sfn._ExecutionError as err:
            event_type, details = events.ended_in_error(err)
            record(frame, event_type, details)
            if _retry(state_def.get("Retry", []), err, retry_counts, frame):
                continue
            if caught := _catch(state_def, raw_input, ctx, err):
                return caught
            error, cause = reported_error(err)
            raise sfn._ExecutionError(error, cause) from err
        record(frame, f"{events.prefix}Succeeded", events.succeeded(result))
        return _task_output(state_def, raw_input, ctx, result, jsonata), sfn._next_or_end(state_def)


def _invoke(resource: str, effective: Any, state_def: dict[str, Any], ctx: dict[str, Any]) -> Any:
    if ".waitForTaskToken" in resource:
        return sfn._invoke_with_callback(resource, effective, ctx["Task"]["Token"], state_def)
    # An activity's timeout starts when a worker takes the task, not here (MiniStack's rule).
    if "TimeoutSeconds" in state_def and ":activity:" not in resource:
        return sfn._invoke_resource_with_timeout(resource, effective, state_def["TimeoutSeconds"])
    return sfn._invoke_resource(resource, effective)


def _task_output(state_def: dict[str, Any], raw_input: Any, ctx: dict[str, Any], result: Any, jsonata: bool) -> Any:
    if jsonata:
        output = sfn._apply_jsonata_output(state_def, raw_input, ctx, result=result, default=result)
        sfn._apply_state_assign(state_def, raw_input, ctx, result=result)  # `$states.result` is the raw result
        return output
    output = sfn._apply_result_path(state_def, raw_input, sfn._apply_result_selector(state_def, result))
    return sfn._apply_output_path(state_def, output, ctx)


def _mocked_response(
    state_def: dict[str, Any], execution: dict[str, Any], ctx: dict[str, Any]
) -> Callable[[Any], Any] | None:
    """A response from MiniStack's SFN mock config (SFN Local format) for this state, if any."""
    if not sfn._sfn_mock_config:
        return None
    state_name = ctx["State"]["Name"]
    attempts = execution.setdefault("mockAttempts", {})
    attempt = attempts.get(state_name, 0)
    mock = sfn._get_mock_response(ctx["StateMachine"]["Name"], execution.get("testCase", ""), state_name, attempt)
    if mock is None:
        return None
    attempts[state_name] = attempt + 1

    def respond(_effective: Any) -> Any:
        if "Throw" in mock:
            thrown = mock["Throw"]
            raise sfn._ExecutionError(thrown.get("Error", "MockError"), thrown.get("Cause", "Mocked failure"))
        return mock.get("Return", {})

    return respond


# ── Parallel and Map ────────────────────────────────────────


@dataclass
class Job:
    """One branch or iteration to run on its own line."""

    index: int
    states: dict[str, Any]
    start_at: str
    input: Any
    ctx: dict[str, Any]


def execute_parallel(state_def: dict[str, Any], raw_input: Any, execution: dict[str, Any], ctx: dict[str, Any]):
    frame = current_frame(execution)

    def attempt(resume: bool) -> tuple[Any, str | None]:
        effective = sfn._apply_parameters(state_def, sfn._apply_input_path(state_def, raw_input, ctx), ctx)
        record(frame, "ParallelStateStarted")
        jobs = [
            Job(index, branch.get("States", {}), branch.get("StartAt"), copy.deepcopy(effective), _branch_ctx(ctx))
            for index, branch in enumerate(state_def.get("Branches", []))
        ]
        results = run_jobs(frame, jobs, workers=len(jobs) or 1, resume=resume)
        record(frame, "ParallelStateSucceeded", advance=False)
        output = sfn._apply_result_path(state_def, raw_input, sfn._apply_result_selector(state_def, results))
        return sfn._apply_output_path(state_def, output, ctx), sfn._next_or_end(state_def)

    return _attempts(state_def, raw_input, ctx, frame, "Parallel", attempt)


def execute_map(state_def: dict[str, Any], raw_input: Any, execution: dict[str, Any], ctx: dict[str, Any]):
    processor = state_def.get("Iterator") or state_def.get("ItemProcessor", {})
    if (processor.get("ProcessorConfig") or {}).get("Mode") == "DISTRIBUTED":
        return _distributed_map(state_def, raw_input, execution, ctx)
    frame = current_frame(execution)

    def attempt(resume: bool) -> tuple[Any, str | None]:
        jsonata = sfn._state_query_language(state_def, ctx) == "JSONata"
        effective = sfn._apply_input_path(state_def, raw_input, ctx)
        if jsonata and "Items" in state_def:
            items = sfn._jsonata_state_field(state_def, "Items", "array", raw_input, ctx)
        else:
            items = sfn._resolve_path_or_ctx(state_def.get("ItemsPath", "$"), effective, ctx)
        if not isinstance(items, list):
            items = [items]
        max_concurrency = state_def.get("MaxConcurrency", 0)
        if jsonata and "MaxConcurrency" in state_def:
            max_concurrency = sfn._jsonata_state_field(state_def, "MaxConcurrency", "number", raw_input, ctx)
        record(frame, "MapStateStarted", {"mapStateStartedEventDetails": {"length": len(items)}})
        jobs = [
            _map_job(state_def, processor, index, item, raw_input, effective, ctx, jsonata)
            for index, item in enumerate(items)
        ]
        workers = int(max_concurrency) if max_concurrency else len(jobs)
        results = run_jobs(frame, jobs, workers=max(workers, 1), iterations_of=ctx["State"]["Name"], resume=resume)
        record(frame, "MapStateSucceeded", advance=False)
        if jsonata:
            output = sfn._apply_jsonata_output(state_def, raw_input, ctx, result=results, default=results)
            sfn._apply_state_assign(state_def, raw_input, ctx, result=results)
            return output, sfn._next_or_end(state_def)
        output = sfn._apply_result_path(state_def, raw_input, sfn._apply_result_selector(state_def, results))
        return sfn._apply_output_path(state_def, output, ctx), sfn._next_or_end(state_def)

    return _attempts(state_def, raw_input, ctx, frame, "Map", attempt)


def _map_job(state_def, processor, index, item, raw_input, effective, ctx, jsonata) -> Job:  # type: ignore[no-untyped-def]
    item_ctx = copy.deepcopy(ctx)
    item_ctx["Map"] = {"Item": {"Index": index, "Value": item}}
    selector = state_def.get("ItemSelector") or state_def.get("Parameters")
    if not selector:
        item_input = item
    elif jsonata:
        item_input = sfn._apply_jsonata_template(selector, raw_input, item_ctx)
    else:  # ItemSelector paths read the Map's input; $$.Map.Item.Value is the item
        item_input = sfn._resolve_params_obj(selector, effective, item_ctx)
    return Job(index, processor.get("States", {}), processor.get("StartAt"), item_input, item_ctx)


def _branch_ctx(ctx: dict[str, Any]) -> dict[str, Any]:
    """A branch's own $$.State; JSONata variables stay shared, as in MiniStack's walker."""
    return {**ctx, "State": dict(ctx["State"])}


def _attempts(
    state_def: dict[str, Any],
    raw_input: Any,
    ctx: dict[str, Any],
    frame: Frame,
    kind: str,
    attempt: Callable[[bool], tuple[Any, str | None]],
) -> tuple[Any, str | None]:
    """A Parallel's or Map's attempts under its Retry and Catch: `<kind>StateFailed`
    is logged once, when no retry is left."""
    state = ctx["State"]
    retry_counts: dict[int, int] = {}
    resume, frame.resuming = frame.resuming, False
    while True:
        ctx["State"] = {**state, "RetryCount": sum(retry_counts.values())}
        try:
            return attempt(resume)
        except sfn._ExecutionError as err:
            resume = False
            if _retry(state_def.get("Retry", []), err, retry_counts, frame):
                continue
            record(frame, f"{kind}StateFailed")
            if caught := _catch(state_def, raw_input, ctx, err):
                return caught
            raise


def run_jobs(
    frame: Frame, jobs: list[Job], *, workers: int, iterations_of: str | None = None, resume: bool = False
) -> list[Any]:
    """Run branches or iterations, `workers` at a time, each on its own line, and
    return their outputs in order. On the first failure the others are given up
    (their current state logged `<Type>StateAborted`, an iteration
    `MapIterationAborted`) and its error is raised. `resume` (redrive): jobs that
    succeeded before keep their output; the others continue where they stopped."""
    progress = frame.progress
    if not resume:
        progress["children"], progress["outputs"] = {}, {}
    results: list[Any] = [None] * len(jobs)
    todo = []
    for job in jobs:
        if resume and str(job.index) in progress["outputs"]:
            results[job.index] = progress["outputs"][str(job.index)]
        else:
            todo.append(job)

    lines: dict[int, Frame] = {}  # Map: one line per worker thread
    running: dict[int, Frame] = {}
    finished: list[Frame] = []
    failures: list[tuple[Frame, Exception]] = []
    stop = threading.Event()

    def run(job: Job) -> None:
        if stop.is_set():
            return
        key = str(job.index)
        with lock:
            # Branches each start from ParallelStateStarted; iterations run by one
            # worker thread follow each other, as AWS logs them.
            line = lines.setdefault(threading.get_ident(), frame.child()) if iterations_of else frame.child()
            node = progress["children"].get(key) if resume else None
            if node is None:
                node = progress["children"][key] = {}
            job_frame = line.child(node)
            running[job.index] = job_frame
        iteration = {"name": iterations_of, "index": job.index}
        if iterations_of:
            record(job_frame, "MapIterationStarted", {"mapIterationStartedEventDetails": iteration})
        again = bool(resume and node.get("state"))
        try:
            output = run_states(
                job.states,
                node["state"] if again else job.start_at,
                node["input"] if again else job.input,
                job_frame,
                job.ctx,
                resume=again,
            )
        except RunStopped:
            return
        except Exception as exc:
            err = exc if isinstance(exc, sfn._ExecutionError) else sfn._ExecutionError(_RUNTIME, str(exc))
            if iterations_of:
                record(job_frame, "MapIterationFailed", {"mapIterationFailedEventDetails": iteration}, advance=False)
            with lock:
                running.pop(job.index, None)
                failures.append((job_frame, err))
            stop.set()
            raise
        if iterations_of:
            record(job_frame, "MapIterationSucceeded", {"mapIterationSucceededEventDetails": iteration}, advance=False)
        with lock:
            running.pop(job.index, None)
            results[job.index] = progress["outputs"][key] = output
            line.source = max(line.source, job_frame.source)
            finished.append(job_frame)

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sfn-branch")
    futures = [pool.submit(contextvars.copy_context().run, run, job) for job in todo]
    concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_EXCEPTION)
    pool.shutdown(wait=False, cancel_futures=True)

    with lock:
        if failures:
            failed_frame, error = failures[0]
            for job_index, job_frame in running.items():
                job_frame.source = failed_frame.source
                if job_frame.state_type:
                    record(job_frame, f"{job_frame.state_type}StateAborted", advance=False)
                if iterations_of:
                    aborted = {"mapIterationAbortedEventDetails": {"name": iterations_of, "index": job_index}}
                    record(job_frame, "MapIterationAborted", aborted, advance=False)
                job_frame.abandoned = True
            frame.source = failed_frame.source
            raise error
        if finished:
            frame.source = max(job_frame.last for job_frame in finished)
    if not frame.running():
        raise RunStopped
    return results
