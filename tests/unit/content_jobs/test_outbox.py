"""Every accepted job is delivered, once: the job record is the outbox (`conveyor.jobs.outbox`).

A sender that dies between the record and the message (the API's, a retry's, the
sweeper's own) leaves the message owed; the sweeper sends it after a minute, and a
duplicate submission or a retry of the job at once, always as a new delivery, so a copy
that did go out is dropped when it arrives.
"""

from __future__ import annotations

import pytest

from content_jobs.catalog import JobType
from content_jobs.payloads import NoopPayload
from content_jobs.settings import SweeperSettings
from content_jobs.sweeper import ContentJobsSweeper
from conveyor.core.aws import AwsClients
from conveyor.jobs.context import JobContext
from conveyor.jobs.errors import Busy
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.outbox import OVERDUE_SECONDS
from conveyor.jobs.records import NewJob
from conveyor.jobs.status import JobStatus
from conveyor.jobs.worker import Outcome

from .conftest import SUPPORTING, Deliveries, Sqs, queue_attribute, received_record


@pytest.fixture
def sweeper(deliveries: Deliveries, aws: AwsClients) -> ContentJobsSweeper:
    return ContentJobsSweeper(SweeperSettings.from_environment(), aws, deliveries.clock)


def new(job_id: str) -> NewJob:
    return NewJob(job_id, JobType.NOOP, "org-1", NoopPayload(echo=job_id))


def accepted_by_a_sender_that_died(deliveries: Deliveries, job_id: str) -> None:
    """What a sender killed between its two steps leaves: the record, owing its message."""
    deliveries.jobs.store.create(new(job_id), SUPPORTING)


def overdue(deliveries: Deliveries) -> None:
    deliveries.clock.advance(OVERDUE_SECONDS + 1)


def test_a_job_whose_sender_died_before_its_message_is_sent_by_the_sweeper(
    deliveries: Deliveries, sweeper: ContentJobsSweeper
) -> None:
    accepted_by_a_sender_that_died(deliveries, "j")
    assert deliveries.job("j").unsent_since_ms is not None
    assert queue_attribute(deliveries.queue_url, "ApproximateNumberOfMessages") == 0

    assert sweeper.sweep().resent == []  # its sender may still be at it
    overdue(deliveries)
    assert sweeper.sweep().resent == ["j"]

    assert deliveries.deliver() == Outcome.COMPLETED
    job = deliveries.job("j")
    assert (job.status, job.delivery, job.attempts, job.unsent_since_ms) == (JobStatus.COMPLETED, 2, 1, None)
    assert sweeper.sweep().resent == []


def test_a_message_that_did_go_out_after_all_runs_once(deliveries: Deliveries, sweeper: ContentJobsSweeper) -> None:
    # The sender sent the message and died before marking it sent.
    accepted_by_a_sender_that_died(deliveries, "j")
    deliveries.jobs.queues.send(SUPPORTING, JobMessage.of(deliveries.job("j")))
    overdue(deliveries)
    sweeper.sweep()

    outcomes = [deliveries.deliver(), deliveries.deliver()]

    assert sorted(outcomes) == [Outcome.COMPLETED, Outcome.SKIPPED]  # the first copy is superseded
    assert deliveries.job("j").attempts == 1


def test_a_job_accepted_while_sqs_fails_is_delivered_once_it_is_back(
    deliveries: Deliveries, sweeper: ContentJobsSweeper, sqs: Sqs
) -> None:
    sqs.down()
    submitted = deliveries.jobs.submit(new("j"))  # no error: the record is the acceptance
    assert (submitted.job.status, submitted.duplicate) == (JobStatus.PENDING, False)
    overdue(deliveries)
    assert sweeper.sweep().resent == []  # still down: still owed
    assert deliveries.job("j").unsent_since_ms is not None

    sqs.up()
    overdue(deliveries)
    assert sweeper.sweep().resent == ["j"]
    assert deliveries.deliver() == Outcome.COMPLETED


def test_the_clients_duplicate_submission_of_a_stuck_job_sends_it_again(deliveries: Deliveries) -> None:
    accepted_by_a_sender_that_died(deliveries, "j")

    again = deliveries.jobs.submit(new("j"))

    assert (again.duplicate, again.job.delivery) == (True, 2)
    assert deliveries.deliver() == Outcome.COMPLETED
    assert deliveries.jobs.submit(new("j")).job.status == JobStatus.COMPLETED  # nothing owed: nothing sent
    assert queue_attribute(deliveries.queue_url, "ApproximateNumberOfMessages") == 0


def test_a_retry_of_a_stuck_job_sends_it_again(deliveries: Deliveries) -> None:
    accepted_by_a_sender_that_died(deliveries, "j")
    assert deliveries.jobs.retry(deliveries.job("j")).delivery == 2  # was 409 "it is PENDING"
    assert deliveries.deliver() == Outcome.COMPLETED


def test_a_retry_whose_message_was_not_sent_is_delivered_later(
    deliveries: Deliveries, sweeper: ContentJobsSweeper, sqs: Sqs
) -> None:
    deliveries.queue("j")
    deliveries.jobs.cancel(deliveries.job("j"))
    sqs.down()
    retried = deliveries.jobs.retry(deliveries.job("j"))
    assert (retried.status, retried.delivery) == (JobStatus.PENDING, 2)  # not FAILED "NotQueued"
    sqs.up()

    overdue(deliveries)
    assert sweeper.sweep().resent == ["j"]
    assert deliveries.deliver() == Outcome.SKIPPED  # the message of the delivery before the retry
    assert deliveries.deliver() == Outcome.COMPLETED


def test_a_stalled_job_whose_new_message_was_not_sent_is_delivered_later(
    deliveries: Deliveries, sweeper: ContentJobsSweeper, sqs: Sqs
) -> None:
    deliveries.queue("j")
    deliveries.jobs.store.start(deliveries.job("j"), 2)
    received_record(deliveries.queue_url)  # its worker took the message, and died
    deliveries.clock.advance(3600)

    sqs.down()
    assert sweeper.sweep().released == ["j"]  # released, but its new message could not be sent
    sqs.up()

    overdue(deliveries)
    assert sweeper.sweep().resent == ["j"]
    assert deliveries.deliver() == Outcome.COMPLETED
    job = deliveries.job("j")
    assert (job.delivery, job.attempts, job.stalls) == (3, 1, 1)


def test_an_owed_message_keeps_what_is_left_of_its_delay(deliveries: Deliveries, sweeper: ContentJobsSweeper) -> None:
    deliveries.jobs.store.create(new("j"), SUPPORTING, delay_seconds=300)
    overdue(deliveries)
    assert sweeper.sweep().resent == ["j"]
    assert queue_attribute(deliveries.queue_url, "ApproximateNumberOfMessagesDelayed") == 1


def test_a_postponed_attempt_is_not_counted_and_runs_again_as_a_new_delivery(deliveries: Deliveries) -> None:
    deliveries.queue("j")

    def busy(job: JobContext) -> dict:
        raise Busy("what it needs is held by another job", retry_after=5)

    assert deliveries.deliver(busy) == Outcome.POSTPONED
    job = deliveries.job("j")
    assert (job.status, job.attempts, job.delivery, job.history[-1].outcome) == (JobStatus.PENDING, 0, 2, "postponed")
    assert (job.history[-1].retry_in_seconds, job.unsent_since_ms) == (5, None)  # sent, with its delay
    assert queue_attribute(deliveries.queue_url, "ApproximateNumberOfMessagesDelayed") == 1


def test_racing_senders_of_one_owed_job_send_one_new_delivery(deliveries: Deliveries) -> None:
    accepted_by_a_sender_that_died(deliveries, "j")
    seen = deliveries.job("j")  # two retries of the client's POST saw the job owed

    first, second = deliveries.jobs.outbox.redeliver(seen), deliveries.jobs.outbox.redeliver(seen)

    assert first is not None and first.delivery == 2 and second is None  # the second one finds it moved on
    assert queue_attribute(deliveries.queue_url, "ApproximateNumberOfMessages") == 1
