"""The worker's rule for one delivery, on moto SQS and DynamoDB, with scripted processors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from content_jobs.catalog import REGISTRY, JobType, QueueName
from content_jobs.errors import RateLimited
from content_jobs.payloads import NoopPayload
from content_jobs.settings import WorkerSettings
from conveyor.core.aws import AwsClients
from conveyor.core.dead_letter import REASON_ATTRIBUTE
from conveyor.core.errors import PermanentError
from conveyor.jobs.context import JobContext
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.records import NewJob
from conveyor.jobs.registry import JobPayload
from conveyor.jobs.service import JobService
from conveyor.jobs.status import JobStatus
from conveyor.jobs.worker import JobWorker, Outcome, RetryScheduled

from .conftest import ContentJobsResources, ManualClock, dead_letters, queue_attribute, received_record

SUPPORTING = QueueName.SUPPORTING.value


class WrongNoopPayload(JobPayload):
    echo: int


Behaviour = Callable[[JobContext], dict[str, Any]]


class Deliveries:
    """The supporting queue's worker, run one received message at a time."""

    def __init__(self, resources: ContentJobsResources, aws: AwsClients, clock: ManualClock) -> None:
        self.resources = resources
        self.settings = WorkerSettings.from_environment()
        self.jobs = JobService.build(self.settings, aws, REGISTRY, clock)
        self.clock = clock
        self.receipts: list[str] = []

    @property
    def queue_url(self) -> str:
        return self.resources.queue_urls[SUPPORTING]

    def worker(self, behaviour: Behaviour | None = None) -> JobWorker:
        def run(payload: Any, job: JobContext) -> dict[str, Any]:
            job.checkpoint()
            return behaviour(job) if behaviour else {"echo": payload.echo}

        processors = {str(job_type): run for job_type in JobType}
        return JobWorker(self.jobs, processors, self.settings.retry_policy(), 2, 5, self.clock)

    def queue(self, job_id: str, org: str = "org-1", payload: JobPayload | None = None) -> None:
        """What POST /jobs does (with any payload: a producer may bypass the API's check)."""
        self.jobs.submit(NewJob(job_id, JobType.NOOP, org, payload or NoopPayload()))

    def deliver(self, behaviour: Behaviour | None = None) -> Outcome:
        record = received_record(self.queue_url)
        self.receipts.append(record["receiptHandle"])
        return self.worker(behaviour).handle(SQSRecord(record))

    def end_backoff(self) -> None:
        """End the backoff of the message just delivered now, instead of waiting for it."""
        boto3.client("sqs").change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=self.receipts[-1], VisibilityTimeout=0
        )

    def job(self, job_id: str) -> Any:
        return self.jobs.store.get(job_id)


@pytest.fixture
def deliveries(content_jobs: ContentJobsResources, aws: AwsClients) -> Deliveries:
    return Deliveries(content_jobs, aws, ManualClock())


def test_a_job_runs_and_completes(deliveries: Deliveries) -> None:
    deliveries.queue("j", payload=NoopPayload(echo="hi"))
    assert deliveries.deliver() == Outcome.COMPLETED
    job = deliveries.job("j")
    assert (job.status, job.result, job.attempts) == (JobStatus.COMPLETED, {"echo": "hi"}, 1)
    assert deliveries.jobs.store.counters.org_running("org-1") == 0


def test_a_failed_attempt_is_retried_after_its_backoff_then_dead_lettered(deliveries: Deliveries) -> None:
    deliveries.queue("j")

    def boom(job: JobContext) -> dict:
        raise RuntimeError(f"boom {job.job.attempts}")

    for attempt, delay in ((1, 60), (2, 300)):
        with pytest.raises(RetryScheduled):
            deliveries.deliver(boom)
        job = deliveries.job("j")
        assert (job.status, job.attempts, job.history[-1].retry_in_seconds) == (JobStatus.PENDING, attempt, delay)
        assert queue_attribute(deliveries.queue_url, "ApproximateNumberOfMessages") == 0  # hidden for the backoff
        deliveries.end_backoff()

    assert deliveries.deliver(boom) == Outcome.FAILED
    job = deliveries.job("j")
    assert (job.status, job.attempts, job.error.message) == (JobStatus.FAILED, 3, "boom 3")
    assert [entry.retry_in_seconds for entry in job.history] == [60, 300, None]  # no wait after the last
    [dead] = dead_letters(deliveries.resources.queue_urls[f"{SUPPORTING}-dlq"])
    assert dead["MessageAttributes"][REASON_ATTRIBUTE]["StringValue"] == "RuntimeError: boom 3"


def test_a_permanent_error_fails_at_once(deliveries: Deliveries) -> None:
    deliveries.queue("j")

    def refuse(job: JobContext) -> dict:
        raise PermanentError("no such account")

    assert deliveries.deliver(refuse) == Outcome.FAILED
    job = deliveries.job("j")
    assert (job.attempts, job.error.type) == (1, "PermanentError")
    assert len(dead_letters(deliveries.resources.queue_urls[f"{SUPPORTING}-dlq"])) == 1


def test_a_rate_limit_waits_what_the_server_asked(deliveries: Deliveries) -> None:
    deliveries.queue("j")

    def limited(job: JobContext) -> dict:
        raise RateLimited("429", retry_after=7)

    with pytest.raises(RetryScheduled):
        deliveries.deliver(limited)
    assert deliveries.job("j").history[-1].retry_in_seconds == 7


def test_an_invalid_payload_fails_without_an_attempt(deliveries: Deliveries) -> None:
    deliveries.queue("j", payload=WrongNoopPayload(echo=5))
    assert deliveries.deliver() == Outcome.FAILED
    job = deliveries.job("j")
    assert (job.status, job.attempts, job.error.type) == (JobStatus.FAILED, 0, "InvalidPayload")
    assert "echo: Input should be a valid string" in job.error.message


def test_a_message_that_is_no_job_goes_to_the_dlq_of_its_queue(deliveries: Deliveries) -> None:
    boto3.client("sqs").send_message(QueueUrl=deliveries.queue_url, MessageBody='{"hello": 1}')
    assert deliveries.deliver() == Outcome.REJECTED
    [dead] = dead_letters(deliveries.resources.queue_urls[f"{SUPPORTING}-dlq"])
    assert "jobId: Field required" in dead["MessageAttributes"][REASON_ATTRIBUTE]["StringValue"]


def test_cancelled_and_superseded_deliveries_are_skipped(deliveries: Deliveries) -> None:
    deliveries.queue("j")
    deliveries.jobs.cancel("j")
    assert deliveries.deliver() == Outcome.SKIPPED
    assert deliveries.job("j").skipped == 1

    deliveries.jobs.queues.send(SUPPORTING, JobMessage(job_id="j", type=JobType.NOOP, delivery=1))
    deliveries.jobs.store.requeue(deliveries.job("j"))  # a retry made delivery 2
    assert deliveries.deliver() == Outcome.SKIPPED


def test_a_job_waits_for_its_organization_without_using_an_attempt(deliveries: Deliveries) -> None:
    store = deliveries.jobs.store  # limit 2
    for job_id in ("a", "b"):
        store.start(store.create(NewJob(job_id, JobType.NOOP, "org-1", NoopPayload()), SUPPORTING), 2)
    deliveries.queue("c")

    assert deliveries.deliver() == Outcome.DEFERRED
    job = deliveries.job("c")
    assert (job.status, job.attempts) == (JobStatus.PENDING, 0)
    # Sent again with a delay, not left to be received again (which SQS would count).
    assert queue_attribute(deliveries.queue_url, "ApproximateNumberOfMessagesDelayed") == 1


def test_a_stalled_running_job_is_released_and_run_again(deliveries: Deliveries) -> None:
    deliveries.queue("j")
    deliveries.jobs.store.start(deliveries.job("j"), 2)
    deliveries.clock.advance(3600)  # no heartbeat for an hour: past the queue's 2-minute lock

    assert deliveries.deliver() == Outcome.COMPLETED
    job = deliveries.job("j")
    assert [entry.outcome for entry in job.history] == ["stalled", "completed"] and job.attempts == 2
    assert deliveries.jobs.store.counters.org_running("org-1") == 0


def test_a_fresh_running_job_delivered_again_is_a_duplicate(deliveries: Deliveries) -> None:
    deliveries.queue("j")
    deliveries.jobs.store.start(deliveries.job("j"), 2)
    deliveries.clock.advance(60)  # within the lock
    assert deliveries.deliver() == Outcome.SKIPPED
    assert deliveries.job("j").status == JobStatus.RUNNING


def test_a_dead_letter_redriven_to_the_queue_is_retried(deliveries: Deliveries) -> None:
    deliveries.queue("j", payload=WrongNoopPayload(echo=5))
    deliveries.deliver()  # invalid: FAILED and dead-lettered
    [dead] = dead_letters(deliveries.resources.queue_urls[f"{SUPPORTING}-dlq"])
    boto3.client("sqs").send_message(
        QueueUrl=deliveries.queue_url,
        MessageBody=dead["Body"],  # what a redrive does
        MessageAttributes={REASON_ATTRIBUTE: {"DataType": "String", "StringValue": "x"}},
    )

    assert deliveries.deliver() == Outcome.REQUEUED
    job = deliveries.job("j")
    assert (job.status, job.delivery) == (JobStatus.PENDING, 2)
    assert json.loads(received_record(deliveries.queue_url)["body"])["delivery"] == 2


def test_a_worker_without_a_processor_for_every_type_does_not_start(deliveries: Deliveries) -> None:
    with pytest.raises(ValueError, match="GENERATE_IMAGE"):
        JobWorker(deliveries.jobs, {"NOOP": lambda payload, job: {}}, deliveries.settings.retry_policy(), 2, 5)
