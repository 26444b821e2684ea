"""Queue runs of a durable task, and start them when the flow's dispatcher admits them.

Queueing is one DynamoDB transaction over the task record and the flow's waiting list:
a run is either queued and recorded, or neither. Starting is a Step Functions execution
named after the run, so a run is started once however often its start is retried:

- AWS answers a second StartExecution of a RUNNING execution with the same name and
  input with 200 and the same execution: the run is recorded as started again, which
  changes nothing (its start time, when the dispatcher admitted it, is written once).
- It answers `ExecutionAlreadyExists` when that execution has ended (or the input
  differs, which a run's deterministic input never does): the run already ran, and
  `start_queued_run` says so, so the dispatcher frees the slot it held.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from conveyor.core.clock import iso, parse_iso
from conveyor.core.dynamo import TransactionCancelled
from conveyor.core.errors import Conflict, NotFound
from conveyor.durable.records import TaskStatus
from conveyor.durable.store import TaskStore
from conveyor.flow.waiting import WaitingList, WaitingRun

# Step Functions execution names: 1-80 characters, no whitespace, brackets,
# wildcards or punctuation such as " # % \ ^ | ~ ` $ & , ; : /.
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_NAME_LIMIT = 80


class TaskNotFound(NotFound):
    def __init__(self, task_id: str) -> None:
        super().__init__(f"no task {task_id!r}", field="taskId")


class NotReplayable(Conflict):
    """Only a FAILED run can be replayed."""

    def __init__(self, task_id: str, status: str) -> None:
        super().__init__(f"task {task_id} is {status}; only a FAILED task can be replayed")
        self.status = status


class TaskIdTaken(Conflict):
    """The task id is another organization's."""

    def __init__(self, task_id: str) -> None:
        super().__init__(f"task id {task_id!r} is taken; choose another", field="taskId")


class ConcurrentSubmission(Conflict):
    """Another submission of the same task changed it meanwhile; submit again."""

    def __init__(self, task_id: str) -> None:
        super().__init__(f"another submission of task {task_id!r} is in progress; send it again")


def execution_name(task_id: str, run: int = 1, replay: int = 0) -> str:
    """A readable, unique execution name for (task, run, replay).

    The task id is kept as it is when it is a valid name; otherwise unsafe characters
    become `_` and a short digest of the id keeps names unique.
    """
    suffix = (f"--run{run}" if run > 1 else "") + (f"--replay{replay}" if replay else "")
    safe = _NAME_UNSAFE.sub("_", task_id)
    if safe != task_id or len(safe) + len(suffix) > _NAME_LIMIT:
        digest = hashlib.sha256(task_id.encode()).hexdigest()[:10]
        safe = f"{safe[: _NAME_LIMIT - len(suffix) - len(digest) - 1]}-{digest}"
    return safe + suffix


@dataclass(frozen=True)
class QueuedRun:
    task_id: str
    run: int
    replay: int
    execution_name: str
    # The task's current run answered a submission inside the window: nothing was queued.
    duplicate: bool = False
    status: TaskStatus = TaskStatus.QUEUED


@dataclass(frozen=True)
class RunRequest:
    """A new run of a task: in which flow, for whom, with what request and priority."""

    flow: str
    organization: str | None
    request: dict[str, Any]
    priority: int
    # Unless None (a forced submission), a task whose current run was submitted less than
    # this long ago answers with that run instead of queueing another: however the first
    # submitter ended (a crash before its idempotency record was complete, a redelivery),
    # one submission inside the window makes one run.
    dedupe_seconds: float | None = None

    @property
    def task_id(self) -> str:
        return str(self.request["taskId"])


def queue_new_run(store: TaskStore, waiting: WaitingList, new: RunRequest, now_ms: int) -> QueuedRun:
    """Make a new run the task's current one and put it on the waiting list (see RunRequest)."""
    try:  # most tasks are new: try run 1 without reading first
        return _queue_run_after(store, waiting, new, now_ms, previous_run=0)
    except ConcurrentSubmission:
        current = store.get_task(new.task_id)
        if current is None:
            raise
        if current.organization != new.organization:
            raise TaskIdTaken(new.task_id) from None
        if new.dedupe_seconds is not None and _submitted_within(current.submitted_at, new.dedupe_seconds, now_ms):
            name = execution_name(current.task_id, current.run, current.replays)
            return QueuedRun(current.task_id, current.run, current.replays, name, True, current.status)
        return _queue_run_after(store, waiting, new, now_ms, previous_run=current.run)


def _queue_run_after(
    store: TaskStore, waiting: WaitingList, new: RunRequest, now_ms: int, previous_run: int
) -> QueuedRun:
    task_id = new.task_id
    run = WaitingRun(task_id, previous_run + 1, 0, new.request, new.priority, now_ms)
    tx = store.transaction()
    store.queue_new_run(tx, new.flow, task_id, previous_run, new.request, new.organization)
    waiting.add(tx, run)
    _commit(tx, task_id)
    return QueuedRun(task_id, run.run, 0, execution_name(task_id, run.run))


def queue_replay(store: TaskStore, waiting: WaitingList, task_id: str, now_ms: int) -> QueuedRun:
    """Queue the FAILED current run again; its succeeded steps will be reused."""
    current = store.get_task(task_id)
    if current is None:
        raise TaskNotFound(task_id)
    if current.status != TaskStatus.FAILED:
        raise NotReplayable(task_id, current.status.value)
    replay = current.replays + 1
    priority = int(current.request.get("priority", 0))
    waiting_run = WaitingRun(task_id, current.run, replay, current.request, priority, now_ms)
    tx = store.transaction()
    store.queue_replay(tx, task_id, current.run, current.replays)
    waiting.add(tx, waiting_run)
    _commit(tx, task_id)
    return QueuedRun(task_id, current.run, replay, execution_name(task_id, current.run, replay))


def start_queued_run(sfn: Any, store: TaskStore, state_machine_arn: str, run: WaitingRun, admitted_ms: int) -> bool:
    """Start the execution of a run the dispatcher admitted at `admitted_ms`; False when it had
    run already (see the module). The input is the same JSON text on every try (keys sorted),
    as AWS's idempotent start compares the input string."""
    try:
        started = sfn.start_execution(
            stateMachineArn=state_machine_arn,
            name=execution_name(run.task_id, run.run, run.replay),
            input=json.dumps({"task": run.task, "run": run.run}, sort_keys=True),
        )
    except sfn.exceptions.ExecutionAlreadyExists:
        return False
    store.record_execution(run.task_id, run.run, started["executionArn"], iso(admitted_ms / 1000))
    return True


def run_execution_arn(state_machine_arn: str, run: WaitingRun) -> str:
    """The ARN of the run's execution, known before it starts:
    arn:aws:states:<region>:<account>:stateMachine:<sm> -> ...:execution:<sm>:<name>."""
    prefix, _, machine = state_machine_arn.rpartition(":stateMachine:")
    return f"{prefix}:execution:{machine}:{execution_name(run.task_id, run.run, run.replay)}"


def _commit(tx: Any, task_id: str) -> None:
    try:
        tx.commit()
    except TransactionCancelled as cancelled:
        raise ConcurrentSubmission(task_id) from cancelled


def _submitted_within(submitted_at: str | None, seconds: float, now_ms: int) -> bool:
    if submitted_at is None:
        return False
    return parse_iso(submitted_at).timestamp() * 1000 > now_ms - seconds * 1000
