"""Calls to SQS: every queue with its counts and its DLQ, a DLQ's messages read
without consuming them, redrive with `StartMessageMoveTask`, and purge.

**Reading without consuming.** SQS has no peek: a message is read by receiving it,
which hides it for the visibility timeout. The console receives with a short
timeout (so the next receive returns other messages), and when it has read
enough, sets every received message visible again at once
(`ChangeMessageVisibility` 0). The messages stay in the queue, as the AWS
console's "poll for messages" leaves them; their `ApproximateReceiveCount` grows
by one, which a DLQ (no redrive policy of its own) does not act on.

**Which queue is whose DLQ** comes from each queue's `RedrivePolicy`, not from
`ListDeadLetterSourceQueues` (MiniStack lacks it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

ERROR_REASON = "ErrorReason"  # the attribute Conveyor's consumers set on a message they dead-letter
_ATTRIBUTES = [
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "RedrivePolicy",
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "FifoQueue",
]
PEEK_VISIBILITY_SECONDS = 20  # long enough to read a page; every message is made visible again right after


@dataclass
class Queue:
    url: str
    name: str
    arn: str
    visible: int
    in_flight: int
    delayed: int
    attributes: dict[str, str]
    dead_letter_arn: str | None = None  # its DLQ
    max_receive_count: int | None = None
    sources: list[str] = field(default_factory=list)  # names of the queues whose DLQ it is

    @property
    def is_dead_letter_queue(self) -> bool:
        return bool(self.sources)

    @property
    def dead_letter_name(self) -> str | None:
        return self.dead_letter_arn.rsplit(":", 1)[-1] if self.dead_letter_arn else None


@dataclass(frozen=True)
class Message:
    message_id: str
    body: str
    attributes: dict[str, str]  # system attributes: SentTimestamp, ApproximateReceiveCount...
    message_attributes: dict[str, str]  # the sender's, ErrorReason among them

    @property
    def error_reason(self) -> str | None:
        return self.message_attributes.get(ERROR_REASON)

    @property
    def json_body(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class Queues:
    def __init__(self, client: Any) -> None:
        self._sqs = client

    def urls(self, prefix: str = "") -> list[str]:
        urls: list[str] = []
        for page in self._sqs.get_paginator("list_queues").paginate(QueueNamePrefix=prefix):
            urls.extend(page.get("QueueUrls", []))
        return urls

    def url_of(self, name: str) -> str:
        return str(self._sqs.get_queue_url(QueueName=name)["QueueUrl"])

    def describe(self, urls: list[str]) -> list[Queue]:
        """The queues with their counts; each DLQ knows its source queues."""
        queues = [self.queue(url) for url in urls]
        by_arn = {queue.arn: queue for queue in queues}
        for queue in queues:
            target = by_arn.get(queue.dead_letter_arn or "")
            if target is not None:
                target.sources.append(queue.name)
        return sorted(queues, key=lambda q: (q.name.removesuffix("-dlq"), q.is_dead_letter_queue))

    def queue(self, url: str) -> Queue:
        attributes = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=_ATTRIBUTES)["Attributes"]
        policy = json.loads(attributes.get("RedrivePolicy") or "{}")
        return Queue(
            url=url,
            name=url.rstrip("/").rsplit("/", 1)[-1],
            arn=attributes.get("QueueArn", ""),
            visible=int(attributes.get("ApproximateNumberOfMessages", 0)),
            in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
            delayed=int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)),
            attributes=attributes,
            dead_letter_arn=policy.get("deadLetterTargetArn"),
            max_receive_count=int(policy["maxReceiveCount"]) if "maxReceiveCount" in policy else None,
        )

    def peek(self, url: str, limit: int = 50) -> list[Message]:
        """Up to `limit` messages, left in the queue and visible again when this returns."""
        received: dict[str, dict[str, Any]] = {}
        try:
            while len(received) < limit:
                batch = self._sqs.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=min(10, limit - len(received)),
                    VisibilityTimeout=PEEK_VISIBILITY_SECONDS,
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                    WaitTimeSeconds=0,
                ).get("Messages", [])
                fresh = [m for m in batch if m["MessageId"] not in received]
                received.update({m["MessageId"]: m for m in batch})
                if not fresh:
                    break
        finally:
            self._release(url, list(received.values()))
        return [_message(raw) for raw in received.values()]

    def _release(self, url: str, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), 10):
            entries = [
                {"Id": str(index), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for index, m in enumerate(messages[start : start + 10])
            ]
            self._sqs.change_message_visibility_batch(QueueUrl=url, Entries=entries)

    def start_redrive(self, dead_letter_arn: str, destination_arn: str | None = None) -> str:
        """Move the DLQ's messages back to the queues they came from (or to `destination_arn`)."""
        request = {"SourceArn": dead_letter_arn}
        if destination_arn:
            request["DestinationArn"] = destination_arn
        return str(self._sqs.start_message_move_task(**request)["TaskHandle"])

    def move_tasks(self, dead_letter_arn: str) -> list[dict[str, Any]]:
        """The DLQ's most recent message move tasks, newest first, with their progress."""
        return list(self._sqs.list_message_move_tasks(SourceArn=dead_letter_arn, MaxResults=10).get("Results", []))

    def purge(self, url: str) -> None:
        self._sqs.purge_queue(QueueUrl=url)


def _message(raw: dict[str, Any]) -> Message:
    attributes = {
        name: value.get("StringValue") or value.get("BinaryValue", b"").hex()
        for name, value in raw.get("MessageAttributes", {}).items()
    }
    return Message(raw["MessageId"], raw.get("Body", ""), dict(raw.get("Attributes", {})), attributes)
