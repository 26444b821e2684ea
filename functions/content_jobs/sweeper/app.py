"""Runs every minute: content jobs RUNNING past their queue's lock duration go back to
PENDING and are sent again, or fail when out of stalls (`conveyor.jobs.stalled`); jobs
still owed their message after a minute are sent again (`conveyor.jobs.outbox`); and each
queue's gauges, JobsActive (RUNNING) and JobsPending, are published from the counters the
status changes keep."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext

from content_jobs.sweeper import ContentJobsSweeper
from conveyor.core.aws import AwsClients
from conveyor.jobs.status import JobStatus

logger = Logger()
tracer = Tracer()
metrics = Metrics()

sweeper = ContentJobsSweeper.from_environment(AwsClients())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = sweeper.sweep()
    metrics.add_metric(name="JobsStalled", unit=MetricUnit.Count, value=len(report.released) + len(report.failed))
    metrics.add_metric(name="JobsFailedStalled", unit=MetricUnit.Count, value=len(report.failed))
    metrics.add_metric(name="JobMessagesResent", unit=MetricUnit.Count, value=len(report.resent))
    for queue, counts in sweeper.queue_counts().items():
        for name, status in (("JobsActive", JobStatus.RUNNING), ("JobsPending", JobStatus.PENDING)):
            with single_metric(name=name, unit=MetricUnit.Count, value=counts[status]) as gauge:
                gauge.add_dimension(name="queue", value=queue)
    return report.model_dump(mode="json")
