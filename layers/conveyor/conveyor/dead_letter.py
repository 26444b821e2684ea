"""Send a message that can never succeed straight to its dead-letter queue, with the reason.

SQS only moves a message to the DLQ after maxReceiveCount failed receives; a
payload that fails validation would fail every time, so the consumer moves it
at once and says why in the `ErrorReason` message attribute.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from conveyor.aws import client

REASON_ATTRIBUTE = "ErrorReason"
_MAX_REASON = 1024


def dead_letter(dlq_url: str, record: SQSRecord, reason: str) -> None:
    attributes = {
        REASON_ATTRIBUTE: reason[:_MAX_REASON],
        "SourceQueueArn": record.event_source_arn,
        "OriginalMessageId": record.message_id,
    }
    client("sqs").send_message(
        QueueUrl=dlq_url,
        MessageBody=record.body,
        MessageAttributes={name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()},
    )
