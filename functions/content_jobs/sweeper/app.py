"""Runs every minute: content jobs RUNNING past their queue's lock duration go back to
PENDING and are sent again (`conveyor.jobs.stalled`)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from content_jobs.sweeper import stalled_jobs
from conveyor.core.aws import AwsClients

logger = Logger()
tracer = Tracer()
metrics = Metrics()

stalled = stalled_jobs(AwsClients())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    released = stalled.recover()
    metrics.add_metric(name="JobsStalled", unit=MetricUnit.Count, value=len(released))
    return {"released": released}
