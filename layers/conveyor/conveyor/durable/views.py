"""What the task API answers, built from the task store's records."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from conveyor.durable.store import TaskStore


class _ApiModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class TaskAccepted(_ApiModel):
    task_id: str = Field(alias="taskId")
    run: int
    execution_arn: str = Field(alias="executionArn")
    duplicate: bool = Field(description="the run already existed; nothing new was started")


class StepView(_ApiModel):
    name: str
    status: str
    attempts: int
    result: Any = None
    error: dict[str, str] | None = None
    first_started_at: str | None = Field(None, alias="firstStartedAt")
    last_started_at: str | None = Field(None, alias="lastStartedAt")
    finished_at: str | None = Field(None, alias="finishedAt")
    reused: int = Field(0, description="times a replay reused this step's stored result")


class TaskView(_ApiModel):
    task_id: str = Field(alias="taskId")
    status: str
    run: int
    current_step: str | None = Field(None, alias="currentStep")
    request: dict[str, Any]
    result: Any = None
    error: dict[str, str] | None = None
    execution_arn: str | None = Field(None, alias="executionArn")
    submitted_at: str | None = Field(None, alias="submittedAt")
    started_at: str | None = Field(None, alias="startedAt")
    finished_at: str | None = Field(None, alias="finishedAt")
    steps: list[StepView] = []


def task_view(store: TaskStore, task_id: str) -> TaskView | None:
    item = store.get_task(task_id)
    if item is None:
        return None
    steps = [StepView.model_validate(_plain(step)) for step in store.list_step_items(task_id)]
    return TaskView.model_validate({**_plain(item), "steps": steps})


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as JSON-ready values: Decimals to ints, result text to data."""
    plain = json.loads(json.dumps(item, default=int))
    if "resultJson" in plain:
        plain["result"] = json.loads(plain.pop("resultJson"))
    if "sk" in plain and plain["sk"].startswith("STEP#"):
        plain["name"] = plain["sk"].removeprefix("STEP#")
    return plain
