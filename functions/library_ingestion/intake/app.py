"""Consumes `track/ingestion.requested` messages (one per track) and queues `track-ingestion`
runs: one per ISRC inside the idempotency window, however often it is requested
(`library_ingestion.intake`). The dispatcher is woken once per batch.

A message that fails validation goes to the DLQ at once with its reason; any other failure
reports the message as a batch item failure, so SQS redelivers it (queueing is idempotent).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from conveyor.core import validation
from conveyor.core.aws import AwsClients
from conveyor.core.dead_letter import dead_letter
from conveyor.durable.submission import QueuedRun
from library_ingestion.intake import TrackIngestionIntake
from library_ingestion.models import TrackIngestionRequested
from library_ingestion.settings import IntakeSettings

logger = Logger()
tracer = Tracer()
metrics = Metrics()
batch = BatchProcessor(event_type=EventType.SQS)

aws = AwsClients()
settings = IntakeSettings.from_environment()
intake = TrackIngestionIntake(settings, aws)


def queue_requested_run(record: SQSRecord, queued: list[QueuedRun]) -> None:
    try:
        request = TrackIngestionRequested.model_validate_json(record.body)
    except ValidationError as error:
        reason = validation.describe(error)
        logger.warning("rejected track/ingestion.requested", extra={"reason": reason, "messageId": record.message_id})
        dead_letter(aws.client("sqs"), settings.dlq_url, record, reason)
        metrics.add_metric(name="IngestionRequestsRejected", unit=MetricUnit.Count, value=1)
        return
    run = intake.queue(request)
    queued.append(run)
    logger.info(
        "track ingestion queued",
        extra={"isrc": request.isrc, "taskId": run.task_id, "run": run.run, "duplicate": run.duplicate},
    )
    metrics.add_metric(
        name="IngestionsDeduplicated" if run.duplicate else "IngestionsQueued", unit=MetricUnit.Count, value=1
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    queued: list[QueuedRun] = []
    response = process_partial_response(
        event=event, record_handler=lambda record: queue_requested_run(record, queued), processor=batch, context=context
    )
    intake.wake_dispatcher(queued)
    return response
