"""The job queues in SQS: send, delay, look into the DLQ, count."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from conveyor.aws import client
from conveyor.jobs.catalog import QueueName
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.settings import JobSettings

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


class JobQueues:
    def __init__(self, settings: JobSettings) -> None:
        self._settings = settings
        self._sqs = client("sqs")

    def url(self, queue: QueueName) -> str:
        return _queue_url(self._settings.queue_name(queue))

    def dlq_url(self, queue: QueueName) -> str:
        return _queue_url(self._settings.dlq_name(queue))

    def lock_seconds(self, queue: QueueName) -> int:
        """A queue's visibility timeout is how long a worker holds a job before it counts as stalled."""
        return _visibility_timeout(self.url(queue))

    def send(self, queue: QueueName, message: JobMessage, delay_seconds: int = 0) -> None:
        self._sqs.send_message(
            QueueUrl=self.url(queue),
            MessageBody=message.body(),
            DelaySeconds=max(0, min(delay_seconds, MAX_DELAY_SECONDS)),
        )

    def delay_redelivery(self, queue: QueueName, receipt_handle: str, seconds: int) -> None:
        """Keep a received message hidden for `seconds` more: the next attempt's backoff."""
        self._sqs.change_message_visibility(
            QueueUrl=self.url(queue), ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )

    def take_from_dlq(self, queue: QueueName, job_id: str) -> int:
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

    def depth(self, queue: QueueName) -> QueueDepth:
        main = self._attributes(self.url(queue))
        dlq = self._attributes(self.dlq_url(queue))
        return QueueDepth(
            visible=main["ApproximateNumberOfMessages"],
            in_flight=main["ApproximateNumberOfMessagesNotVisible"],
            delayed=main["ApproximateNumberOfMessagesDelayed"],
            dead_letters=sum(dlq.values()),
        )

    def _attributes(self, url: str) -> dict[str, int]:
        attributes = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=_DEPTH_ATTRIBUTES)["Attributes"]
        return {name: int(attributes.get(name, 0)) for name in _DEPTH_ATTRIBUTES}


def _job_id(body: str) -> str | None:
    try:
        return JobMessage.model_validate_json(body).job_id
    except ValueError:
        return None


@cache
def _queue_url(name: str) -> str:
    return client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


@cache
def _visibility_timeout(url: str) -> int:
    attributes = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    return int(attributes["Attributes"]["VisibilityTimeout"])


def clear_caches() -> None:
    """Tests create new queues under the same names."""
    _queue_url.cache_clear()
    _visibility_timeout.cache_clear()
