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

from conveyor.core.ids import ID_PATTERN
from conveyor.core.rest import error_responses
from conveyor.durable.records import TaskStatus
from conveyor.durable.store import TaskStore
from conveyor.durable.submission import TaskNotFound
from conveyor.durable.views import TaskAccepted, TaskPage, TaskView, list_tasks, task_view

Replay = Callable[[str], TaskAccepted]
TaskIdPath = Annotated[str, Path(description="the task's id"), Field(pattern=ID_PATTERN)]


def task_router(store: TaskStore, replays: Mapping[str, Replay]) -> Router:
    """Routes over `store`; `replays` queues a replay in a task's flow, by flow name."""
    router = Router()
    metrics = Metrics()

    @router.get(
        "/tasks",
        summary="List tasks by status, newest first",
        tags=["tasks"],
        responses=error_responses(400, 422),
    )
    def get_tasks(
        status: Annotated[TaskStatus, Query(description="QUEUED, RUNNING, SUCCEEDED or FAILED")],
        limit: Annotated[int, Query(ge=1, le=100)] = 25,
        next_token: Annotated[str | None, Query(alias="nextToken", max_length=4096)] = None,
    ) -> TaskPage:
        return list_tasks(store, status, limit, next_token)

    @router.get(
        "/tasks/<task_id>",
        summary="A task: its run, current step, and each step's result, attempts and timings",
        tags=["tasks"],
        responses=error_responses(404, 422),
    )
    def get_task(task_id: TaskIdPath) -> TaskView:
        view = task_view(store, task_id)
        if view is None:
            raise TaskNotFound(task_id)
        return view

    @router.post(
        "/tasks/<task_id>/retry",
        summary="Replay a FAILED task",
        description="Runs the failed run again; steps that succeeded in it are not executed again, their stored "
        "results are reused.",
        tags=["tasks"],
        responses={202: {"description": "Replay queued"}, **error_responses(404, 409, 422)},
    )
    def retry_task(task_id: TaskIdPath) -> Response[TaskAccepted]:
        task = store.get_task(task_id)
        if task is None or task.flow not in replays:
            raise TaskNotFound(task_id)
        accepted = replays[task.flow](task_id)
        metrics.add_metric(name="TasksReplayed", unit=MetricUnit.Count, value=1)
        return accepted_response(accepted)

    return router


def accepted_response(accepted: TaskAccepted) -> Response[TaskAccepted]:
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=accepted.model_dump(mode="json"))
