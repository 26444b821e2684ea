"""What the task API answers, built from the task store's records."""

from __future__ import annotations

from pydantic import Field

from conveyor.core.models import ApiModel
from conveyor.core.pagination import PageTokens
from conveyor.durable.records import StepRecord, TaskRecord, TaskStatus, current_step
from conveyor.durable.store import STATUS_INDEX_KEY, TaskStore

PAGE_TOKENS = PageTokens(*STATUS_INDEX_KEY)


class TaskAccepted(ApiModel):
    task_id: str
    run: int
    replay: int = 0
    execution_name: str = Field(description="the execution's name once it starts")
    status: TaskStatus
    duplicate: bool = Field(description="an earlier submission of this taskId is answered; nothing new was queued")


class TaskView(TaskRecord):
    current_step: str | None = Field(None, description="the step running now")
    steps: list[StepRecord] = Field([], description="in the order they first ran")


class TaskSummary(ApiModel):
    task_id: str
    flow: str | None = None
    organization: str | None = None
    status: TaskStatus
    run: int
    submitted_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


class TaskPage(ApiModel):
    tasks: list[TaskSummary]
    next_token: str | None = Field(None, description="pass it back as nextToken for the next page")


def task_view(store: TaskStore, record: TaskRecord) -> TaskView:
    """The task with its steps and, while it runs, the step running now."""
    steps = store.steps(record.task_id)
    running = current_step(steps, record.run) if record.status == TaskStatus.RUNNING else None
    return TaskView(**record.model_dump(), steps=steps, current_step=running)


def list_tasks(
    store: TaskStore, status: TaskStatus, limit: int, next_token: str | None, organization: str | None
) -> TaskPage:
    """Tasks in `status`, newest first: every organization's when `organization` is None."""
    start = PAGE_TOKENS.decode(next_token, fixed={"status": status.value})
    records, last = store.by_status(status, limit, start, organization)
    return TaskPage(
        tasks=[TaskSummary(**record.model_dump()) for record in records],
        next_token=PAGE_TOKENS.encode(last),
    )
