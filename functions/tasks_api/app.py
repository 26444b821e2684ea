"""The task HTTP API: submit demo tasks and read their status.

Validation and the OpenAPI document come from Powertools' resolver: a bad body
is answered 422 with the field that is wrong. The document is served at
/openapi.json and a Swagger UI at /swagger.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from conveyor.demo_task.models import DemoTaskRequested
from conveyor.http import rest_api
from conveyor.demo_task.submission import submit
from conveyor.durable.store import task_store
from conveyor.durable.views import TaskAccepted, TaskView, task_view

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = rest_api("Conveyor tasks API")


@app.post("/tasks", summary="Submit demo/task.requested", responses={202: {"description": "Run accepted"}})
def submit_task(request: Annotated[DemoTaskRequested, Body()]) -> Response[TaskAccepted]:
    run = submit(request)
    metrics.add_metric(name="TasksSubmitted", unit=MetricUnit.Count, value=1)
    accepted = TaskAccepted(task_id=run.task_id, run=run.run, execution_arn=run.execution_arn,
                            duplicate=run.already_started)
    return Response(status_code=202, content_type="application/json", body=accepted.model_dump(by_alias=True))


@app.get("/tasks/<task_id>", summary="Status of a task")
def get_task(task_id: Annotated[str, Path(description="the taskId of the submission")]) -> TaskView:
    view = task_view(task_store(), task_id)
    if view is None:
        raise NotFoundError(f"no task {task_id!r}")
    return view


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
