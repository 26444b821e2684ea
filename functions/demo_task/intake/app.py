"""Consumes `demo/task.requested` messages from the demo-task queue and queues runs.

Producers on the queue are trusted by IAM; the organization a run belongs to is the
message's `organization` attribute (a run without one is visible to admins only).
A payload that fails validation goes to the DLQ at once with its reason; any other
failure reports the message as a batch item failure, so SQS redelivers it (and moves
it to the DLQ after maxReceiveCount).
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
from demo_task.models import DemoTaskRequested
from demo_task.settings import IntakeSettings
from demo_task.submission import DemoTaskSubmission

ORGANIZATION_ATTRIBUTE = "organization"

logger = Logger()
tracer = Tracer()
metrics = Metrics()
batch = BatchProcessor(event_type=EventType.SQS)

aws = AwsClients()
settings = IntakeSettings.from_environment()
submission = DemoTaskSubmission(settings, aws)


@tracer.capture_method
def queue_requested_run(record: SQSRecord, lambda_context: LambdaContext) -> None:
    try:
        request = DemoTaskRequested.model_validate_json(record.body)
    except ValidationError as error:
        reason = validation.describe(error)
        logger.warning("rejected demo/task.requested", extra={"reason": reason, "messageId": record.message_id})
        dead_letter(aws.client("sqs"), settings.dlq_url, record, reason)
        metrics.add_metric(name="TaskRequestsRejected", unit=MetricUnit.Count, value=1)
        return
    attribute = record.message_attributes[ORGANIZATION_ATTRIBUTE]
    organization = attribute.string_value if attribute is not None else None
    accepted = submission.submit(request, organization, lambda_context)
    logger.info("demo task submitted", extra=accepted.model_dump(mode="json"))
    metric = "TasksDeduplicated" if accepted.duplicate else "TasksSubmitted"
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=queue_requested_run, processor=batch, context=context)
