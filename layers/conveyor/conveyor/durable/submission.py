"""Queue runs of a durable task, and start them when the dispatcher admits them.

Queueing is one DynamoDB transaction over the task record and the flow's
waiting list: a run is either queued and recorded, or neither. Starting is a
Step Functions execution named after the task, so starting a run twice starts
it once.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from conveyor.aws import client
from conveyor.durable.store import TaskStore
from conveyor.dynamo import plain, transact_write
from conveyor.flow.waiting import WaitingList, WaitingRun

# Step Functions execution names: 1-80 characters, no whitespace, brackets,
# wildcards or punctuation such as " # % \ ^ | ~ ` $ & , ; : /.
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_NAME_LIMIT = 80


class TaskNotFound(LookupError):
    pass


class NotReplayable(RuntimeError):
    """Only a FAILED run can be replayed."""

    def __init__(self, task_id: str, status: str) -> None:
        super().__init__(f"task {task_id} is {status}; only a FAILED task can be replayed")
        self.status = status


class ConcurrentSubmission(RuntimeError):
    """Another submission of the same task changed it meanwhile; submit again."""


def execution_name(task_id: str, run: int = 1, replay: int = 0) -> str:
    """A readable, unique execution name for (task, run, replay).

    The task id is kept as it is when it is a valid name; otherwise unsafe
    characters become `_` and a short digest of the id keeps names unique.
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


def queue_new_run(store: TaskStore, waiting: WaitingList, task: dict[str, Any], priority: int) -> QueuedRun:
    """Make a new run the task's current one and put it on the waiting list."""
    task_id = str(task["taskId"])
    try:  # most tasks are new: try run 1 without reading first
        return _queue_run_after(store, waiting, task, priority, previous_run=0)
    except ConcurrentSubmission:
        current = store.get_task(task_id) or {}
        return _queue_run_after(store, waiting, task, priority, previous_run=int(current.get("run", 0)))


def _queue_run_after(
    store: TaskStore, waiting: WaitingList, task: dict[str, Any], priority: int, previous_run: int
) -> QueuedRun:
    task_id = str(task["taskId"])
    run = WaitingRun(task_id, previous_run + 1, 0, task, priority, _now_ms())
    _queue(store, waiting, store.new_run_update(task_id, previous_run, task), run)
    return QueuedRun(task_id, run.run, 0, execution_name(task_id, run.run))


def queue_replay(store: TaskStore, waiting: WaitingList, task_id: str) -> QueuedRun:
    """Queue the FAILED current run again; its succeeded steps will be reused."""
    current = store.get_task(task_id)
    if current is None:
        raise TaskNotFound(task_id)
    if current["status"] != "FAILED":
        raise NotReplayable(task_id, current["status"])
    run, replays = int(current["run"]), int(current.get("replays", 0))
    request = plain(current["request"])
    waiting_run = WaitingRun(task_id, run, replays + 1, request, int(request.get("priority", 0)), _now_ms())
    _queue(store, waiting, store.replay_update(task_id, run, replays), waiting_run)
    return QueuedRun(task_id, run, replays + 1, execution_name(task_id, run, replays + 1))


def start_queued_run(store: TaskStore, state_machine_arn: str, run: WaitingRun, start_ms: int) -> bool:
    """Start the execution of an admitted run; False when it had been started already."""
    sfn = client("stepfunctions")
    try:
        execution_arn = sfn.start_execution(
            stateMachineArn=state_machine_arn,
            name=execution_name(run.task_id, run.run, run.replay),
            input=json.dumps({"task": run.task, "run": run.run}),
        )["executionArn"]
    except sfn.exceptions.ExecutionAlreadyExists:  # a dispatch that died after starting it
        return False
    started_at = datetime.fromtimestamp(start_ms / 1000, UTC).isoformat(timespec="milliseconds")
    store.record_execution(run.task_id, run.run, execution_arn, started_at.replace("+00:00", "Z"))
    return True


def run_execution_arn(state_machine_arn: str, run: WaitingRun) -> str:
    """The ARN of the run's execution, known before it starts:
    arn:aws:states:<region>:<account>:stateMachine:<sm> -> ...:execution:<sm>:<name>."""
    prefix, _, machine = state_machine_arn.rpartition(":stateMachine:")
    return f"{prefix}:execution:{machine}:{execution_name(run.task_id, run.run, run.replay)}"


def _queue(store: TaskStore, waiting: WaitingList, task_update: dict[str, Any], run: WaitingRun) -> None:
    try:
        transact_write([task_update, waiting.put_action(run)])
    except ClientError as error:
        if error.response["Error"]["Code"] == "TransactionCanceledException":
            raise ConcurrentSubmission(run.task_id) from error
        raise


def _now_ms() -> int:
    return int(time.time() * 1000)
