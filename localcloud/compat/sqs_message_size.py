"""A message's size counts its attributes, as AWS counts it against `MaximumMessageSize`.

AWS: a message's size is its body plus, for each message attribute, its name,
data type and value; SendMessage over the queue's `MaximumMessageSize` fails
with `InvalidParameterValue` ("One or more parameters are invalid. Reason:
Message must be shorter than 1024 bytes."), in SendMessageBatch that entry
fails, and a batch whose messages add up to more than 1 MiB fails whole
(`BatchRequestTooLong`). (Checked on AWS by LocalStack's
tests/aws/services/sqs/test_sqs.py: test_send_message_with_updated_maximum_message_size,
test_send_message_batch_with_oversized_contents.)

MiniStack 1.5.33: only the body is measured, so a message just under the
limit with attributes, as Conveyor's jobs send them, is accepted locally and
refused by AWS.

Fix (upstreamable in `_act_send_message` and `_act_send_message_batch`): the
attributes are measured too.
"""

from __future__ import annotations

import base64
import binascii
import functools
from typing import Any

from ministack.services import sqs

BATCH_LIMIT_BYTES = 1_048_576
_DEFAULT_MAXIMUM_MESSAGE_SIZE = 1_048_576


def apply() -> None:
    send = _refusing_oversized_messages(sqs._act_send_message)
    sqs._act_send_message = send  # SendMessageBatch sends each entry through it
    sqs._HANDLERS["SendMessage"] = send
    sqs._HANDLERS["SendMessageBatch"] = _refusing_oversized_batches(sqs._HANDLERS["SendMessageBatch"])


def message_size(body: str, attributes: dict[str, Any] | None) -> int:
    size = len(body.encode())
    for name, attribute in (attributes or {}).items():
        size += len(name.encode()) + len(str(attribute.get("DataType", "")).encode())
        if "StringValue" in attribute:
            size += len(str(attribute["StringValue"]).encode())
        elif "BinaryValue" in attribute:
            size += _binary_length(attribute["BinaryValue"])
    return size


def _binary_length(value: Any) -> int:
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    try:
        return len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError, TypeError):
        return len(str(value).encode())


def _refusing_oversized_messages(send: Any) -> Any:
    @functools.wraps(send)
    def wrapper(data: dict, queue_url: str) -> dict:
        queue = sqs._get_q(data.get("QueueUrl", queue_url), "sqs:SendMessage")
        limit = int(queue["attributes"].get("MaximumMessageSize", _DEFAULT_MAXIMUM_MESSAGE_SIZE))
        if message_size(data.get("MessageBody") or "", data.get("MessageAttributes")) > limit:
            raise sqs._Err(
                "InvalidParameterValue",
                f"One or more parameters are invalid. Reason: Message must be shorter than {limit} bytes.",
            )
        return send(data, queue_url)

    return wrapper


def _refusing_oversized_batches(send_batch: Any) -> Any:
    @functools.wraps(send_batch)
    def wrapper(data: dict, queue_url: str) -> dict:
        total = sum(
            message_size(entry.get("MessageBody") or "", entry.get("MessageAttributes"))
            for entry in data.get("Entries", [])
        )
        if total > BATCH_LIMIT_BYTES:
            raise sqs._Err(
                "BatchRequestTooLong",
                f"Batch requests cannot be longer than {BATCH_LIMIT_BYTES} bytes. You have sent {total} bytes.",
            )
        return send_batch(data, queue_url)

    return wrapper
