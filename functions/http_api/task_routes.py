"""Routes of the durable-task API: submit demo tasks and read their status."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.metrics import MetricUnit

from conveyor.demo_task.models import DemoTaskRequested
from conveyor.demo_task.submission import submit
from conveyor.durable.store import task_store
from conveyor.durable.views import TaskAccepted, TaskView, task_view

router = Router()
metrics = Metrics()


@router.post(
    "/tasks", summary="Submit demo/task.requested", tags=["tasks"], responses={202: {"description": "Run accepted"}}
)
def submit_task(request: Annotated[DemoTaskRequested, Body()]) -> Response[TaskAccepted]:
    run = submit(request)
    metrics.add_metric(name="TasksSubmitted", unit=MetricUnit.Count, value=1)
    accepted = TaskAccepted(
        task_id=run.task_id, run=run.run, execution_arn=run.execution_arn, duplicate=run.already_started
    )
    return Response(status_code=202, content_type="application/json", body=accepted.model_dump(by_alias=True))


@router.get("/tasks/<task_id>", summary="Status of a task", tags=["tasks"])
def get_task(task_id: Annotated[str, Path(description="the taskId of the submission")]) -> TaskView:
    view = task_view(task_store(), task_id)
    if view is None:
        raise NotFoundError(f"no task {task_id!r}")
    return view
