"""Routes of the durable-task API: submit, inspect, list and replay demo tasks."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

from conveyor.demo_task.models import DemoTaskRequested
from conveyor.demo_task.submission import replay, submit
from conveyor.durable.store import task_store
from conveyor.durable.submission import ConcurrentSubmission, NotReplayable, TaskNotFound
from conveyor.durable.views import (
    InvalidPageToken,
    TaskAccepted,
    TaskPage,
    TaskStatus,
    TaskView,
    list_tasks,
    task_view,
)

router = Router()
metrics = Metrics()


@router.post(
    "/tasks",
    summary="Submit demo/task.requested",
    description="Queues a run. A taskId already submitted inside the idempotency window is answered with "
    "its existing run (duplicate: true) unless force is true.",
    tags=["tasks"],
    responses={202: {"description": "Run queued, or the existing run of this taskId"}},
)
def submit_task(request: Annotated[DemoTaskRequested, Body()]) -> Response[TaskAccepted]:
    accepted = submit(request, router.lambda_context)
    metrics.add_metric(
        name="TasksSubmitted" if not accepted.duplicate else "TasksDeduplicated", unit=MetricUnit.Count, value=1
    )
    return _accepted(accepted)


@router.get("/tasks", summary="List tasks by status, newest first", tags=["tasks"])
def get_tasks(
    status: Annotated[TaskStatus, Query(description="QUEUED, RUNNING, SUCCEEDED or FAILED")],
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    next_token: Annotated[str | None, Query(alias="nextToken")] = None,
) -> TaskPage:
    return list_tasks(task_store(), status, limit, next_token)


@router.get("/tasks/<task_id>", summary="Status of a task: run, current step, each step's result", tags=["tasks"])
def get_task(task_id: Annotated[str, Path(description="the taskId of the submission")]) -> TaskView:
    view = task_view(task_store(), task_id)
    if view is None:
        raise NotFoundError(f"no task {task_id!r}")
    return view


@router.post(
    "/tasks/<task_id>/retry",
    summary="Replay a FAILED task",
    description="Runs the failed run again; steps that succeeded in it are not executed again, their stored "
    "results are reused.",
    tags=["tasks"],
    responses={202: {"description": "Replay queued"}, 409: {"description": "The task is not FAILED"}},
)
def retry_task(task_id: Annotated[str, Path(description="the taskId of the submission")]) -> Response[TaskAccepted]:
    return _accepted(replay(task_id))


@router.exception_handler(TaskNotFound)
def task_not_found(error: TaskNotFound) -> Response[dict]:
    return _error(404, f"no task {error.args[0]!r}")


@router.exception_handler(InvalidPageToken)
def invalid_page_token(error: InvalidPageToken) -> Response[dict]:
    return _error(400, str(error))


@router.exception_handler(NotReplayable)
def not_replayable(error: NotReplayable) -> Response[dict]:
    return _error(409, str(error))


@router.exception_handler([IdempotencyAlreadyInProgressError, ConcurrentSubmission])
def submission_in_progress(_: Exception) -> Response[dict]:
    return _error(409, "another submission of this taskId is in progress; send it again")


def _accepted(accepted: TaskAccepted) -> Response[TaskAccepted]:
    return Response(
        status_code=202, content_type=content_types.APPLICATION_JSON, body=accepted.model_dump(by_alias=True)
    )


def _error(status: int, message: str) -> Response[dict]:
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body={"statusCode": status, "message": message}
    )
