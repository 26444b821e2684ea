"""Consumes the evaluation queues (probe-scenario, analyze-basic, analyze-deep; one event
source mapping each): each message is one delivery of a job, run by the run's rule and
the job engine's (`evaluation.delivery`).

A message whose attempt failed and will be retried is reported as a batch item failure,
so SQS keeps it hidden for the backoff; everything else is done with and deleted. Each
batch ends by asking the dispatcher for a pass (capacity was freed; runs may be complete).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from conveyor.core.aws import AwsClients
from conveyor.jobs.worker import RetryScheduled
from evaluation.worker import EvaluationWorker

logger = Logger()
tracer = Tracer()
metrics = Metrics()
batch = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

worker = EvaluationWorker.from_environment(AwsClients())


@tracer.capture_method
def run_delivery(record: SQSRecord) -> None:
    try:
        outcome = worker.handle(record)
    except RetryScheduled:
        metrics.add_metric(name="EvaluationJobsRetried", unit=MetricUnit.Count, value=1)
        raise
    metrics.add_metric(name=f"EvaluationJobs{outcome.title()}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    metrics.add_dimension(name="queue", value=worker.queue_of(SQSRecord(event["Records"][0])))
    try:
        return process_partial_response(event=event, record_handler=run_delivery, processor=batch, context=context)
    finally:
        worker.end_batch()
