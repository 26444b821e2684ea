"""Consumes one job queue (JOB_WORKER_QUEUE): each message is one delivery of a job.

See conveyor.jobs.worker for the rule. A message whose attempt failed and will
be retried is reported as a batch item failure, so SQS keeps it hidden for the
backoff; everything else is done with and deleted.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from conveyor.jobs.catalog import JobStatus
from conveyor.jobs.processors import processors
from conveyor.jobs.services import services
from conveyor.jobs.worker import JobWorker, Outcome, RetryScheduled

logger = Logger()
tracer = Tracer()
metrics = Metrics()
batch = BatchProcessor(event_type=EventType.SQS)

_METRIC_OF = {
    Outcome.COMPLETED: "JobsCompleted",
    Outcome.FAILED: "JobsFailed",
    Outcome.DEFERRED: "JobsWaitingForOrganization",
    Outcome.SKIPPED: "DeliveriesSkipped",
    Outcome.DISCARDED: "ResultsDiscarded",
    Outcome.REJECTED: "MessagesRejected",
    Outcome.REQUEUED: "JobsRedriven",
}


@cache
def worker() -> JobWorker:
    jobs = services()
    queue = jobs.settings.worker_queue
    if queue is None:
        raise RuntimeError("JOB_WORKER_QUEUE is not set: which queue does this function consume?")
    return JobWorker(queue, jobs.jobs, jobs.queues, jobs.retry_policy, processors(jobs), jobs.settings.org_wait_seconds)


@tracer.capture_method
def run_delivery(record: SQSRecord) -> None:
    try:
        outcome = worker().handle(record)
    except RetryScheduled:
        metrics.add_metric(name="JobsRetried", unit=MetricUnit.Count, value=1)
        raise
    metrics.add_metric(name=_METRIC_OF[outcome], unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    queue = worker().queue
    metrics.add_dimension(name="queue", value=queue.value)
    response = process_partial_response(event=event, record_handler=run_delivery, processor=batch, context=context)
    counts = services().jobs.counts()[queue]
    metrics.add_metric(name="JobsActive", unit=MetricUnit.Count, value=counts[JobStatus.RUNNING])
    metrics.add_metric(name="JobsPending", unit=MetricUnit.Count, value=counts[JobStatus.PENDING])
    return response
