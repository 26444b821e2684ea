"""Start a run of a durable task as a Step Functions execution named after the task."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from conveyor.aws import client
from conveyor.durable.store import TaskStore

# Step Functions execution names: 1-80 characters, no whitespace, brackets,
# wildcards or punctuation such as " # % \ ^ | ~ ` $ & , ; : /.
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_NAME_LIMIT = 80


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
class StartedRun:
    task_id: str
    run: int
    execution_arn: str
    already_started: bool


def start_run(
    store: TaskStore,
    state_machine_arn: str,
    task: dict[str, Any],
    run: int = 1,
    replay: int = 0,
) -> StartedRun:
    """Record the run, then start its execution. Starting the same run twice starts it once."""
    task_id = str(task["taskId"])
    name = execution_name(task_id, run, replay)
    sfn = client("stepfunctions")
    execution_arn = _execution_arn(state_machine_arn, name)
    try:
        sfn.describe_execution(executionArn=execution_arn)
    except sfn.exceptions.ExecutionDoesNotExist:
        pass
    else:
        return StartedRun(task_id, run, execution_arn, already_started=True)
    store.record_submitted(task_id, run, task)
    try:
        started = sfn.start_execution(
            stateMachineArn=state_machine_arn,
            name=name,
            input=json.dumps({"task": task, "run": run}),
        )
    except sfn.exceptions.ExecutionAlreadyExists:  # a concurrent submission won the race
        return StartedRun(task_id, run, execution_arn, already_started=True)
    store.record_execution(task_id, run, started["executionArn"])
    return StartedRun(task_id, run, started["executionArn"], already_started=False)


def _execution_arn(state_machine_arn: str, name: str) -> str:
    """arn:aws:states:<region>:<account>:stateMachine:<sm> -> ...:execution:<sm>:<name>."""
    prefix, _, machine = state_machine_arn.rpartition(":stateMachine:")
    return f"{prefix}:execution:{machine}:{name}"
