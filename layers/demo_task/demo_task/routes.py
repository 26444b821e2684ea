"""`POST /tasks`: submit demo/task.requested over HTTP (the task API reads and replays it)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

from conveyor.core.rest import caller, error_response, error_responses
from conveyor.durable.routes import accepted_response
from conveyor.durable.views import TaskAccepted
from demo_task.models import DemoTaskRequested
from demo_task.submission import DemoTaskSubmission


def submission_router(submission: DemoTaskSubmission) -> Router:
    router = Router()
    metrics = Metrics()

    @router.post(
        "/tasks",
        summary="Submit demo/task.requested",
        description="Queues a run. A taskId already submitted inside the idempotency window is answered with "
        "its existing run (duplicate: true) unless force is true.",
        tags=["tasks"],
        responses={
            202: {"description": "Run queued, or the existing run of this taskId"},
            **error_responses(401, 403, 409, 422),
        },
    )
    def submit_task(request: Annotated[DemoTaskRequested, Body()]) -> Response[TaskAccepted]:
        organization = caller(router).acting_organization()
        accepted = submission.submit(request, organization, router.lambda_context)
        metric = "TasksDeduplicated" if accepted.duplicate else "TasksSubmitted"
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
        return accepted_response(accepted)

    @router.exception_handler(IdempotencyAlreadyInProgressError)
    def submission_in_progress(_: IdempotencyAlreadyInProgressError) -> Response[dict]:
        return error_response(409, "another submission of this taskId is in progress; send it again")

    return router
