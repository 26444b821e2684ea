"""Fired by the content-jobs schedules (stacks/content-jobs.yaml): queues this firing's jobs.

The event is the schedule's input: {"schedule": "context-scraping" | "analytics",
"scheduledTime": "<aws.scheduler.scheduled-time>"}; the scheduled time makes the job
ids, so the same firing delivered twice queues its jobs once (`content_jobs.schedules`).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from content_jobs.scheduler import ContentJobsScheduler
from content_jobs.schedules import Firing
from conveyor.core.aws import AwsClients

logger = Logger()
tracer = Tracer()
metrics = Metrics()

scheduler = ContentJobsScheduler.from_environment(AwsClients())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=Firing)
def handler(firing: Firing, context: LambdaContext) -> dict[str, Any]:
    report = scheduler.fire(firing)
    summary = report.model_dump(mode="json")
    logger.info("schedule fired", extra={"schedule": firing.schedule.value, "firing": summary})
    metrics.add_dimension(name="schedule", value=firing.schedule.value)
    metrics.add_metric(name="ScheduledJobsCreated", unit=MetricUnit.Count, value=len(report.created))
    metrics.add_metric(name="ScheduledJobsSkipped", unit=MetricUnit.Count, value=len(report.skipped_active))
    return summary
