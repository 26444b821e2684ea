"""Send a message that can never succeed straight to its dead-letter queue, with the reason.

SQS only moves a message to the DLQ after maxReceiveCount failed receives; a payload
that fails validation would fail every time, so the consumer moves it at once and says
why in the `ErrorReason` message attribute.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

REASON_ATTRIBUTE = "ErrorReason"
_MAX_REASON = 1024


def dead_letter(sqs: Any, dlq_url: str, record: SQSRecord, reason: str) -> None:
    """Send a received message to the DLQ."""
    origin = {"SourceQueueArn": record.event_source_arn, "OriginalMessageId": record.message_id}
    send_dead_letter(sqs, dlq_url, record.body, reason, origin)


def send_dead_letter(sqs: Any, dlq_url: str, body: str, reason: str, origin: dict[str, str] | None = None) -> None:
    """Put `body` in the DLQ with the reason (and where it came from, when it was received)."""
    attributes = {REASON_ATTRIBUTE: reason[:_MAX_REASON], **(origin or {})}
    sqs.send_message(
        QueueUrl=dlq_url,
        MessageBody=body,
        MessageAttributes={name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()},
    )


def redriven(record: SQSRecord) -> bool:
    """The message came back from a DLQ (a redrive): it carries the reason it was dead-lettered."""
    return REASON_ATTRIBUTE in (record.message_attributes or {})
