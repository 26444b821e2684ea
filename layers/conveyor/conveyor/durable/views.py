"""What the task API answers, built from the task store's records."""

from __future__ import annotations

import base64
import json
from typing import Any, Literal

from boto3.dynamodb.conditions import Key
from pydantic import BaseModel, ConfigDict, Field

from conveyor.durable.store import TaskStore, current_step
from conveyor.dynamo import plain

TaskStatus = Literal["QUEUED", "RUNNING", "SUCCEEDED", "FAILED"]


class InvalidPageToken(ValueError):
    """A nextToken this API did not hand out."""


class _ApiModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class TaskAccepted(_ApiModel):
    task_id: str = Field(alias="taskId")
    run: int
    replay: int = 0
    execution_name: str = Field(alias="executionName", description="the execution's name once it starts")
    status: str
    duplicate: bool = Field(description="an earlier submission of this taskId is answered; nothing new was queued")


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
    replays: int = 0
    current_step: str | None = Field(None, alias="currentStep", description="the step running now")
    request: dict[str, Any]
    result: Any = None
    error: dict[str, str] | None = None
    execution_arn: str | None = Field(None, alias="executionArn")
    submitted_at: str | None = Field(None, alias="submittedAt")
    started_at: str | None = Field(None, alias="startedAt")
    finished_at: str | None = Field(None, alias="finishedAt")
    processed_count: int = Field(0, alias="processedCount", description="times the process step's effect applied")
    api_call_count: int = Field(0, alias="apiCallCount", description="times the api-call step's effect applied")
    steps: list[StepView] = Field([], description="in the order they first ran")


class TaskSummary(_ApiModel):
    task_id: str = Field(alias="taskId")
    status: str
    run: int
    submitted_at: str | None = Field(None, alias="submittedAt")
    started_at: str | None = Field(None, alias="startedAt")
    finished_at: str | None = Field(None, alias="finishedAt")


class TaskPage(_ApiModel):
    tasks: list[TaskSummary]
    next_token: str | None = Field(None, alias="nextToken", description="pass it back for the next page")


def task_view(store: TaskStore, task_id: str) -> TaskView | None:
    item = store.get_task(task_id)
    if item is None:
        return None
    step_items = store.list_step_items(task_id)
    steps = sorted(
        (StepView.model_validate(_api_values(step)) for step in step_items),
        key=lambda step: step.first_started_at or "",
    )
    values = _api_values(item)
    if values.get("status") == "RUNNING":
        values["currentStep"] = current_step(step_items, values["run"])
    return TaskView.model_validate({**values, "steps": steps})


def list_tasks(store: TaskStore, status: TaskStatus, limit: int, next_token: str | None) -> TaskPage:
    query: dict[str, Any] = {
        "IndexName": "byStatus",
        "KeyConditionExpression": Key("status").eq(status),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if next_token:
        try:
            query["ExclusiveStartKey"] = json.loads(base64.urlsafe_b64decode(next_token))
        except ValueError as error:
            raise InvalidPageToken("nextToken is not a token from a previous page") from error
    page = store.query(**query)
    last = page.get("LastEvaluatedKey")
    return TaskPage(
        tasks=[TaskSummary.model_validate(_api_values(item)) for item in page["Items"]],
        next_token=base64.urlsafe_b64encode(json.dumps(plain(last)).encode()).decode() if last else None,
    )


def _api_values(item: dict[str, Any]) -> dict[str, Any]:
    """A store item as API values: plain numbers, result text as data, step name."""
    values = plain(item)
    if "resultJson" in values:
        values["result"] = json.loads(values.pop("resultJson"))
    if values.get("sk", "").startswith("STEP#"):
        values["name"] = values["sk"].removeprefix("STEP#")
    return values
