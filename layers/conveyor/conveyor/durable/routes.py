"""The task API, for the tasks of every durable flow: read, list by status, replay.

Submitting is each workload's own route (its request model); a replay goes to the
flow the task belongs to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import Field

from conveyor.core.auth import Caller, Forbidden
from conveyor.core.ids import ID_PATTERN
from conveyor.core.rest import caller, error_responses
from conveyor.durable.records import TaskRecord, TaskStatus
from conveyor.durable.store import TaskStore
from conveyor.durable.submission import TaskNotFound
from conveyor.durable.views import TaskAccepted, TaskPage, TaskView, list_tasks, task_view

Replay = Callable[[str], TaskAccepted]
TaskIdPath = Annotated[str, Path(description="the task's id"), Field(pattern=ID_PATTERN)]


def task_router(store: TaskStore, replays: Mapping[str, Replay]) -> Router:
    """Routes over `store`; `replays` queues a replay in a task's flow, by flow name."""
    router = Router()
    metrics = Metrics()

    def visible_task(task_id: str) -> TaskRecord:
        """The task, if it exists and the caller may see it (its organization's, or an admin)."""
        who = caller(router)
        task = store.get_task(task_id)
        if task is None:
            raise TaskNotFound(task_id)
        if not who.may_see(task.organization):
            raise Forbidden(f"task {task_id!r} belongs to another organization")
        return task

    @router.get(
        "/tasks",
        summary="List tasks by status, newest first",
        description="Your organization's tasks; every organization's for an admin.",
        tags=["tasks"],
        responses=error_responses(400, 401, 422),
    )
    def get_tasks(
        status: Annotated[TaskStatus, Query(description="QUEUED, RUNNING, SUCCEEDED or FAILED")],
        limit: Annotated[int, Query(ge=1, le=100)] = 25,
        next_token: Annotated[str | None, Query(alias="nextToken", max_length=4096)] = None,
    ) -> TaskPage:
        who: Caller = caller(router)
        return list_tasks(store, status, limit, next_token, None if who.admin else who.acting_organization())

    @router.get(
        "/tasks/<task_id>",
        summary="A task: its run, current step, and each step's result, attempts and timings",
        tags=["tasks"],
        responses=error_responses(401, 403, 404, 422),
    )
    def get_task(task_id: TaskIdPath) -> TaskView:
        return task_view(store, visible_task(task_id))

    @router.post(
        "/tasks/<task_id>/retry",
        summary="Replay a FAILED task",
        description="Runs the failed run again; steps that succeeded in it are not executed again, their stored "
        "results are reused.",
        tags=["tasks"],
        responses={202: {"description": "Replay queued"}, **error_responses(401, 403, 404, 409, 422)},
    )
    def retry_task(task_id: TaskIdPath) -> Response[TaskAccepted]:
        task = visible_task(task_id)
        if task.flow not in replays:
            raise TaskNotFound(task_id)
        accepted = replays[task.flow](task_id)
        metrics.add_metric(name="TasksReplayed", unit=MetricUnit.Count, value=1)
        return accepted_response(accepted)

    return router


def accepted_response(accepted: TaskAccepted) -> Response[TaskAccepted]:
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=accepted.model_dump(mode="json"))
