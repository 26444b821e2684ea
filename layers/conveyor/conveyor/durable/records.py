"""Task and step records, as the durable store keeps them and the task API shows them.

One table, two kinds of item under a task's key:

    taskId  sk            what
    t-1     TASK          flow, status, request, run number, execution, timings, result or error, counters
    t-1     STEP#process  that step in the current run: status, attempts, result, error, timings

Results are stored as JSON text (`resultJson`), so they come back exactly as returned.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from pydantic import Field

from conveyor.core.dynamo import plain
from conveyor.core.models import ApiModel
from conveyor.core.status import Phase, WorkloadStatus

TASK_SK = "TASK"
STEP_PREFIX = "STEP#"


class TaskStatus(WorkloadStatus):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"

    @classmethod
    def phases(cls) -> dict[WorkloadStatus, Phase]:
        return {
            cls.QUEUED: Phase.WAITING,
            cls.RUNNING: Phase.ACTIVE,
            cls.SUCCEEDED: Phase.SUCCEEDED,
            cls.FAILED: Phase.FAILED,
        }


class StepStatus(StrEnum):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class StepRecord(ApiModel):
    name: str
    run: int = 1
    status: StepStatus
    attempts: int = 0
    result: Any = None
    error: dict[str, Any] | None = None
    first_started_at: str | None = None
    last_started_at: str | None = None
    finished_at: str | None = None
    reused: int = Field(0, description="times a replay reused this step's stored result")

    @property
    def succeeded(self) -> bool:
        return self.status == StepStatus.SUCCEEDED

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> StepRecord:
        return cls.model_validate({**_values(item), "name": item["sk"].removeprefix(STEP_PREFIX)})


class TaskRecord(ApiModel):
    task_id: str
    flow: str | None = Field(None, description="the durable flow the task runs in (demo-task, ...)")
    organization: str | None = Field(None, description="whose task it is (none: started outside the API)")
    status: TaskStatus
    run: int = 1
    replays: int = 0
    request: dict[str, Any] = {}
    result: Any = None
    error: dict[str, Any] | None = None
    execution_arn: str | None = None
    submitted_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    counters: dict[str, int] = Field({}, description="step effects applied, by name (each exactly once per step)")

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> TaskRecord:
        return cls.model_validate(_values(item))


def current_step(steps: list[StepRecord], run: int) -> str | None:
    """Of a task's steps, the one of `run` that started last."""
    of_run = [step for step in steps if step.run == run and step.last_started_at]
    latest = max(of_run, key=lambda step: step.last_started_at or "", default=None)
    return latest.name if latest else None


def _values(item: dict[str, Any]) -> dict[str, Any]:
    values = plain(item)
    if "resultJson" in values:
        values["result"] = json.loads(values.pop("resultJson"))
    return values
