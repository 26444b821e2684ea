"""Runs every minute: RUNNING jobs past their queue's lock duration go back to PENDING and are sent again."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from conveyor.jobs.services import services
from conveyor.jobs.stalled import recover_stalled

logger = Logger()
tracer = Tracer()
metrics = Metrics()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    jobs = services()
    released = recover_stalled(jobs.jobs, jobs.queues)
    metrics.add_metric(name="JobsStalled", unit=MetricUnit.Count, value=len(released))
    return {"released": released}
