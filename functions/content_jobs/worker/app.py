"""Consumes every content-jobs queue (one event source mapping per queue): each message is
one delivery of a job, and a batch of them is run together by the rule in
`conveyor.jobs.worker` (its DynamoDB work per batch, its outcomes per delivery).

A message whose attempt failed and will be retried is reported as a batch item
failure, so SQS keeps it hidden for the backoff; everything else is done with and
deleted. A batch whose every message is retried is answered the same way, not as a
function error: a retry is the rule working, not the function failing. Metrics carry
the queue the batch came from; the queues' gauges (jobs active, pending) come from the
sweeper, once a minute, not from a read after every batch.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from content_jobs.worker import ContentJobsWorker
from conveyor.core.aws import AwsClients
from conveyor.jobs.worker import Outcome, RetryScheduled

logger = Logger()
tracer = Tracer()
metrics = Metrics()
batch = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

worker = ContentJobsWorker.from_environment(AwsClients())

_METRIC_OF = {
    Outcome.COMPLETED: "JobsCompleted",
    Outcome.FAILED: "JobsFailed",
    Outcome.DEFERRED: "JobsWaitingForOrganization",
    Outcome.SKIPPED: "DeliveriesSkipped",
    Outcome.DISCARDED: "ResultsDiscarded",
    Outcome.REJECTED: "MessagesRejected",
    Outcome.REQUEUED: "JobsRedriven",
    Outcome.RELEASED: "JobsStalled",
    Outcome.POSTPONED: "JobsPostponed",
    Outcome.RETRY_SCHEDULED: "JobsRetried",
}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    queue = worker.queue_of(SQSRecord(event["Records"][0]))  # a mapping's batch comes from its one queue
    metrics.add_dimension(name="queue", value=queue)
    outcomes = worker.handle_batch([SQSRecord(record) for record in event["Records"]])

    def report(record: SQSRecord) -> None:
        """The delivery's outcome, counted; a retry or an error fails it (SQS delivers it again)."""
        outcome = outcomes[record.message_id]
        if isinstance(outcome, Exception):
            raise outcome
        metrics.add_metric(name=_METRIC_OF[outcome], unit=MetricUnit.Count, value=1)
        if outcome == Outcome.RETRY_SCHEDULED:
            raise RetryScheduled(f"message {record.message_id}: retry scheduled")

    return process_partial_response(event=event, record_handler=report, processor=batch, context=context)
