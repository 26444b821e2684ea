"""A job workload's queues in SQS: send, delay, look into the DLQ, count.

Queues are named `<prefix>-<queue>` with their DLQ `<prefix>-<queue>-dlq` (the
workload's stack names them so), which is how a function finds a queue's URL from
its short name, and a worker finds which queue a message came from (its
`eventSourceARN`). A queue's visibility timeout is its lock duration: how long a
worker holds a job before it counts as stalled. URLs and lock durations are looked up
once per `JobQueues`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from conveyor.core.dead_letter import dead_letter, send_dead_letter
from conveyor.jobs.messages import JobMessage

MAX_DELAY_SECONDS = 900  # SQS DelaySeconds
_DEPTH_ATTRIBUTES = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
]
_DLQ_SCAN_RECEIVES = 10


@dataclass(frozen=True)
class QueueDepth:
    visible: int
    in_flight: int
    delayed: int
    dead_letters: int

    @property
    def holds_messages(self) -> bool:
        """Any message in the queue itself: waiting, delayed, or received and not yet deleted."""
        return bool(self.visible or self.in_flight or self.delayed)


class JobQueues:
    def __init__(self, sqs: Any, prefix: str) -> None:
        self._sqs = sqs
        self._prefix = prefix
        self._urls: dict[str, str] = {}
        self._lock_seconds: dict[str, int] = {}

    def name(self, queue: str) -> str:
        return f"{self._prefix}-{queue}"

    def url(self, queue: str) -> str:
        return self._url(self.name(queue))

    def dlq_url(self, queue: str) -> str:
        return self._url(f"{self.name(queue)}-dlq")

    def queue_of(self, arn: str) -> str:
        """The short name of the queue whose ARN is `arn` (an SQS record's eventSourceARN)."""
        name = arn.rsplit(":", 1)[-1]
        if not name.startswith(f"{self._prefix}-") or name.endswith("-dlq"):
            raise ValueError(f"{arn} is not one of the job queues named {self._prefix}-*")
        return name.removeprefix(f"{self._prefix}-")

    def lock_seconds(self, queue: str) -> int:
        if queue not in self._lock_seconds:
            attributes = self._sqs.get_queue_attributes(QueueUrl=self.url(queue), AttributeNames=["VisibilityTimeout"])
            self._lock_seconds[queue] = int(attributes["Attributes"]["VisibilityTimeout"])
        return self._lock_seconds[queue]

    def send(self, queue: str, message: JobMessage, delay_seconds: int = 0) -> None:
        self._sqs.send_message(
            QueueUrl=self.url(queue),
            MessageBody=message.body(),
            DelaySeconds=max(0, min(delay_seconds, MAX_DELAY_SECONDS)),
        )

    def delay_redelivery(self, queue: str, receipt_handle: str, seconds: int) -> None:
        """Keep a received message hidden for `seconds` more: the next attempt's backoff."""
        self._sqs.change_message_visibility(
            QueueUrl=self.url(queue), ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )

    def dead_letter(self, queue: str, record: SQSRecord, reason: str) -> None:
        """Send a received message straight to the queue's DLQ, with the reason."""
        dead_letter(self._sqs, self.dlq_url(queue), record, reason)

    def dead_letter_job(self, queue: str, message: JobMessage, reason: str) -> None:
        """Put a job's message in the queue's DLQ, with the reason: a job failed by whoever
        holds no message of it (the sweeper), so it is in the DLQ like every failed job."""
        send_dead_letter(self._sqs, self.dlq_url(queue), message.body(), reason)

    def take_from_dlq(self, queue: str, job_id: str) -> int:
        """Delete the job's messages from the queue's DLQ; how many there were.

        A DLQ is small and looked into rarely, so it is read through; messages of
        other jobs are made visible again at once."""
        url, taken = self.dlq_url(queue), 0
        for _ in range(_DLQ_SCAN_RECEIVES):
            messages = self._sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get(
                "Messages", []
            )
            if not messages:
                break
            mine = [m for m in messages if _job_id(m["Body"]) == job_id]
            others = [m for m in messages if m not in mine]
            for message in mine:
                self._sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            taken += len(mine)
            if others:
                self._sqs.change_message_visibility_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                        for i, m in enumerate(others)
                    ],
                )
            if len(messages) < 10:
                break
        return taken

    def depth(self, queue: str) -> QueueDepth:
        main = self._attributes(self.url(queue))
        dlq = self._attributes(self.dlq_url(queue))
        return QueueDepth(
            visible=main["ApproximateNumberOfMessages"],
            in_flight=main["ApproximateNumberOfMessagesNotVisible"],
            delayed=main["ApproximateNumberOfMessagesDelayed"],
            dead_letters=sum(dlq.values()),
        )

    def _url(self, name: str) -> str:
        if name not in self._urls:
            self._urls[name] = self._sqs.get_queue_url(QueueName=name)["QueueUrl"]
        return self._urls[name]

    def _attributes(self, url: str) -> dict[str, int]:
        attributes = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=_DEPTH_ATTRIBUTES)["Attributes"]
        return {name: int(attributes.get(name, 0)) for name in _DEPTH_ATTRIBUTES}


def _job_id(body: str) -> str | None:
    try:
        return JobMessage.model_validate_json(body).job_id
    except ValueError:
        return None
