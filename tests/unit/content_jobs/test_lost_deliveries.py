"""A delivery SQS dead-lettered before its job could start is a stall (`conveyor.jobs.stalled`).

A worker that dies on every receive (a crash at init, a worker killed as it starts) never
gets to the job: SQS moves the message to the DLQ after maxReceiveCount receives, and the
job would stay PENDING with no message anywhere. The sweeper finds such jobs in a queue
that holds no message, and sends them again as a new delivery, one stall each; out of
stalls, the job fails with the reason and its message is in the DLQ like every failed job's.
"""

from __future__ import annotations

import boto3
import pytest

from content_jobs.catalog import JobType
from content_jobs.payloads import NoopPayload
from content_jobs.settings import SweeperSettings
from content_jobs.sweeper import ContentJobsSweeper
from conveyor.core.aws import AwsClients
from conveyor.jobs.outbox import OVERDUE_SECONDS
from conveyor.jobs.queues import JobQueues
from conveyor.jobs.records import NewJob
from conveyor.jobs.status import JobStatus
from conveyor.jobs.worker import Outcome, RetryScheduled

from .conftest import REGION, SUPPORTING, Deliveries, dead_letters, queue_attribute


@pytest.fixture
def sweeper(deliveries: Deliveries, aws: AwsClients) -> ContentJobsSweeper:
    return ContentJobsSweeper(SweeperSettings.from_environment(), aws, deliveries.clock)


def dead_lettered_by_sqs(deliveries: Deliveries) -> None:
    """What SQS's redrive does to a message whose every receive failed: moves it to the DLQ."""
    sqs = boto3.client("sqs", region_name=REGION)
    [message] = sqs.receive_message(QueueUrl=deliveries.queue_url, MaxNumberOfMessages=1)["Messages"]
    sqs.send_message(QueueUrl=deliveries.resources.queue_urls[f"{SUPPORTING}-dlq"], MessageBody=message["Body"])
    sqs.delete_message(QueueUrl=deliveries.queue_url, ReceiptHandle=message["ReceiptHandle"])


def test_a_job_whose_message_sqs_dead_lettered_is_sent_again_as_a_stall(
    deliveries: Deliveries, sweeper: ContentJobsSweeper
) -> None:
    deliveries.queue("j")
    dead_lettered_by_sqs(deliveries)

    assert sweeper.sweep().released == ["j"]

    job = deliveries.job("j")
    assert (job.status, job.delivery, job.stalls, job.attempts) == (JobStatus.PENDING, 2, 1, 0)
    assert job.unsent_since_ms is None  # sent
    assert (job.history[-1].outcome, job.history[-1].error.type) == ("lost", "Stalled")
    assert deliveries.deliver() == Outcome.COMPLETED
    assert deliveries.job("j").status == JobStatus.COMPLETED


def test_the_old_message_redriven_from_the_dlq_later_is_skipped(
    deliveries: Deliveries, sweeper: ContentJobsSweeper
) -> None:
    deliveries.queue("j")
    dead_lettered_by_sqs(deliveries)
    sweeper.sweep()
    assert deliveries.deliver() == Outcome.COMPLETED

    sqs = boto3.client("sqs", region_name=REGION)
    dlq = deliveries.resources.queue_urls[f"{SUPPORTING}-dlq"]
    [old] = dead_letters(dlq)
    sqs.send_message(QueueUrl=deliveries.queue_url, MessageBody=old["Body"])  # an operator's redrive

    assert deliveries.deliver() == Outcome.SKIPPED
    assert deliveries.job("j").attempts == 1


def test_pending_jobs_are_left_alone_while_their_queue_holds_any_message(
    deliveries: Deliveries, sweeper: ContentJobsSweeper
) -> None:
    deliveries.queue("lost")
    dead_lettered_by_sqs(deliveries)
    deliveries.queue("waiting")  # its message is in the queue: the queue's counts cannot tell whose is missing

    assert sweeper.sweep().released == []
    assert deliveries.job("lost").delivery == 1


def test_a_job_retried_after_a_failed_attempt_keeps_its_message_and_is_left_alone(
    deliveries: Deliveries, sweeper: ContentJobsSweeper
) -> None:
    deliveries.queue("j")

    def fail(_job: object) -> dict:
        raise ConnectionError("the site is down")

    with pytest.raises(RetryScheduled):
        deliveries.deliver(fail)
    assert queue_attribute(deliveries.queue_url, "ApproximateNumberOfMessagesNotVisible") == 1  # its backoff

    assert sweeper.sweep().released == []
    assert deliveries.job("j").delivery == 1


def test_a_job_lost_once_more_than_its_stalls_allow_fails_with_the_reason_in_the_dlq(
    deliveries: Deliveries, sweeper: ContentJobsSweeper
) -> None:
    deliveries.queue("j")
    for _ in range(deliveries.settings.max_stalls):
        dead_lettered_by_sqs(deliveries)
        assert sweeper.sweep().released == ["j"]
    dead_lettered_by_sqs(deliveries)

    assert sweeper.sweep().failed == ["j"]

    job = deliveries.job("j")
    assert (job.status, job.error.type, job.stalls) == (JobStatus.FAILED, "Stalled", deliveries.settings.max_stalls + 1)
    assert "was lost" in job.error.message
    reasons = [
        message.get("MessageAttributes", {}).get("ErrorReason", {}).get("StringValue", "")
        for message in dead_letters(deliveries.resources.queue_urls[f"{SUPPORTING}-dlq"])
    ]
    assert any(reason.startswith("Stalled: delivery") for reason in reasons)
    assert deliveries.jobs.store.counters.by_queue([SUPPORTING])[SUPPORTING][JobStatus.FAILED] == 1


def test_jobs_a_batch_still_owes_are_the_outboxs_to_send_not_lost(
    deliveries: Deliveries, sweeper: ContentJobsSweeper, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*args: object) -> str:
        raise ConnectionError("SQS is not answering")

    with monkeypatch.context() as patch:
        patch.setattr(JobQueues, "url", unreachable)
        deliveries.jobs.submit_many([NewJob("a", JobType.NOOP, "org-1", NoopPayload())])  # its OwedBatch stays

    assert (sweeper.sweep().released, sweeper.sweep().resent) == ([], [])  # the queue is empty, yet it is owed
    deliveries.clock.advance(OVERDUE_SECONDS + 1)
    report = sweeper.sweep()
    assert (report.released, report.resent) == ([], ["a"])
    assert (deliveries.job("a").stalls, deliveries.job("a").delivery) == (0, 2)
