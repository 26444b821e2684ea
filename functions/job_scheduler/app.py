"""Fired by the EventBridge Scheduler schedules of template.yaml: queues this firing's jobs.

The event is the schedule's input: {"schedule": "context-scraping" | "analytics",
"scheduledTime": "<aws.scheduler.scheduled-time>"}; the scheduled time makes the
job ids, so the same firing delivered twice queues its jobs once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from conveyor.jobs.schedule_targets import schedule_targets
from conveyor.jobs.schedules import ScheduleName, fire, parse_scheduled_time
from conveyor.jobs.services import services

logger = Logger()
tracer = Tracer()
metrics = Metrics()


class Firing(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    schedule: ScheduleName
    scheduled_time: Annotated[datetime, BeforeValidator(parse_scheduled_time), Field(alias="scheduledTime")]


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=Firing)
def handler(firing: Firing, context: LambdaContext) -> dict[str, Any]:
    jobs = services()
    report = fire(jobs.jobs, jobs.queues, schedule_targets(jobs, firing.schedule), firing.scheduled_time)
    logger.info("schedule fired", extra={"schedule": firing.schedule.value, "firing": report.summary()})
    metrics.add_dimension(name="schedule", value=firing.schedule.value)
    metrics.add_metric(name="ScheduledJobsCreated", unit=MetricUnit.Count, value=len(report.created))
    metrics.add_metric(name="ScheduledJobsSkipped", unit=MetricUnit.Count, value=len(report.skipped_active))
    return report.summary()
