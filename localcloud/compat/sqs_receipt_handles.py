"""Receipt handles are as lenient as AWS's: a used or earlier handle still works.

AWS: `DeleteMessage` with the handle of a message already deleted succeeds
(again and again); `ChangeMessageVisibility` with an earlier handle of a
message that is still in the queue applies to it; `DeleteMessage` with an
earlier handle of a message received again since succeeds but leaves the
message to its new receiver. Only a string that is no receipt handle at all
is refused (`ReceiptHandleIsInvalid`, 'The input receipt handle "x" is not a
valid receipt handle.'), and `ChangeMessageVisibility` on a deleted message
answers `InvalidParameterValue` ("Value <handle> for parameter ReceiptHandle
is invalid. Reason: Message does not exist or is not available for
visibility timeout change."). (Checked on AWS by LocalStack's
tests/aws/services/sqs/test_sqs.py.)

MiniStack 1.5.33: a handle is a random UUID that is valid only while it is
the message's latest, so these calls raise `ReceiptHandleIsInvalid`: a second
delete in a redelivery race, or a backoff that changes the visibility with the
handle from the Lambda event after the message was received again.

Fix (upstreamable in `_collect_msgs` and the four handle actions): handles
name their message (`base64("<message id> <nonce>")`), so a handle MiniStack
no longer matches is told apart from one that never was: the delete succeeds,
the visibility change applies to the message if it is still there.
"""

from __future__ import annotations

import base64
import binascii
import functools
import time
import uuid
from typing import Any

from ministack.services import sqs

_MARK = "mq1"
_STALE = "ReceiptHandleIsInvalid"


def apply() -> None:
    sqs._collect_msgs = _issuing_named_handles(sqs._collect_msgs)
    handlers = sqs._HANDLERS
    handlers["DeleteMessage"] = _lenient(handlers["DeleteMessage"], _delete_with_stale_handle)
    handlers["ChangeMessageVisibility"] = _lenient(
        handlers["ChangeMessageVisibility"], _change_visibility_with_stale_handle
    )
    handlers["DeleteMessageBatch"] = _lenient_batch(handlers["DeleteMessageBatch"], _delete_with_stale_handle)
    handlers["ChangeMessageVisibilityBatch"] = _lenient_batch(
        handlers["ChangeMessageVisibilityBatch"], _change_visibility_with_stale_handle
    )


def receipt_handle(message_id: str) -> str:
    return base64.urlsafe_b64encode(f"{_MARK} {message_id} {uuid.uuid4().hex}".encode()).decode()


def message_id_of(handle: str) -> str | None:
    """The message a handle was issued for, or None if it is no handle of ours."""
    try:
        mark, message_id, _nonce = base64.urlsafe_b64decode(handle.encode()).decode().split(" ")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return message_id if mark == _MARK else None


def _issuing_named_handles(collect: Any) -> Any:
    @functools.wraps(collect)
    def wrapper(queue: dict, *args: Any, **kwargs: Any) -> list:
        messages = collect(queue, *args, **kwargs)
        for message in messages:
            message["receipt_handle"] = receipt_handle(message["id"])
        return messages

    return wrapper


def _lenient(action: Any, with_stale_handle: Any) -> Any:
    """A handle action whose stale-handle refusal is answered as AWS would."""

    @functools.wraps(action)
    def wrapper(data: dict, queue_url: str) -> dict:
        try:
            return action(data, queue_url)
        except sqs._Err as error:
            if error.code != _STALE:
                raise
            with_stale_handle(data, queue_url)
            return {}

    return wrapper


def _lenient_batch(batch: Any, retry_entry: Any) -> Any:
    """A batch action whose entries MiniStack refused as stale are answered as AWS would."""

    @functools.wraps(batch)
    def wrapper(data: dict, queue_url: str) -> dict:
        result = batch(data, queue_url)
        entries = {entry.get("Id"): entry for entry in data.get("Entries", [])}
        still_failed = []
        for failure in result.get("Failed", []):
            entry = entries.get(failure["Id"])
            if failure.get("Code") != _STALE or entry is None:
                still_failed.append(failure)
                continue
            try:
                retry_entry({"QueueUrl": data.get("QueueUrl", queue_url), **entry}, queue_url)
            except sqs._Err as error:
                still_failed.append({**failure, "Code": error.code, "Message": error.message})
            else:
                result.setdefault("Successful", []).append({"Id": failure["Id"]})
        result["Failed"] = still_failed
        return result

    return wrapper


def _delete_with_stale_handle(data: dict, _queue_url: str) -> None:
    """A handle of a message deleted since, or received again since: nothing to do."""
    _message_id_or_invalid(data.get("ReceiptHandle", ""))


def _change_visibility_with_stale_handle(data: dict, queue_url: str) -> None:
    handle = data.get("ReceiptHandle", "")
    message_id = _message_id_or_invalid(handle)
    queue = sqs._get_q(data.get("QueueUrl", queue_url), "sqs:ChangeMessageVisibility")
    seconds = int(data.get("VisibilityTimeout", 30))
    with sqs._queues_lock:
        message = next((m for m in queue["messages"] if m["id"] == message_id and m.get("receipt_handle")), None)
        if message is None:
            raise sqs._Err(
                "InvalidParameterValue",
                f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist "
                "or is not available for visibility timeout change.",
            )
        message["visible_at"] = time.time() + seconds
    if seconds == 0:
        sqs.esm_wake.set()


def _message_id_or_invalid(handle: str) -> str:
    message_id = message_id_of(handle)
    if message_id is None:
        raise sqs._Err(_STALE, f'The input receipt handle "{handle}" is not a valid receipt handle.')
    return message_id
