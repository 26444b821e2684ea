"""The worker's rule for one delivery, on moto SQS and DynamoDB, with scripted processors."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from conveyor.dead_letter import REASON_ATTRIBUTE
from conveyor.jobs.catalog import JobStatus, JobType, QueueName
from conveyor.jobs.errors import PermanentJobError, RateLimited
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.services import services
from conveyor.jobs.store import NewJob
from conveyor.jobs.submission import submit
from conveyor.jobs.worker import JobWorker, Outcome, RetryScheduled

from .conftest import received_record

SUPPORTING = QueueName.SUPPORTING


def worker(behaviour: Any = None) -> JobWorker:
    jobs = services()

    def run(payload: Any, job: Any) -> dict[str, Any]:
        job.checkpoint()
        if behaviour is not None:
            return behaviour(job)
        return {"echo": payload.echo}

    return JobWorker(SUPPORTING, jobs.jobs, jobs.queues, jobs.retry_policy, {JobType.NOOP: run}, 5)


def queued(job_id: str, org: str = "org-1", payload: dict | None = None) -> None:
    jobs = services()
    submit(jobs.jobs, jobs.queues, NewJob(job_id, JobType.NOOP, org, payload if payload is not None else {}))


_receipts: list[str] = []


def deliver(cloud: dict, the_worker: JobWorker) -> Outcome:
    record = received_record(cloud["supporting"])
    _receipts.append(record["receiptHandle"])
    return the_worker.handle(SQSRecord(record))


def dead_letters(cloud: dict) -> list[dict]:
    response = boto3.client("sqs").receive_message(
        QueueUrl=cloud["supporting-dlq"], MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )
    return response.get("Messages", [])


def visible(cloud: dict) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=cloud["supporting"], AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_a_job_runs_and_completes(jobs_cloud: dict) -> None:
    queued("j", payload={"echo": "hi"})
    assert deliver(jobs_cloud, worker()) == Outcome.COMPLETED
    job = services().jobs.get("j")
    assert (job.status, job.result, job.attempts) == (JobStatus.COMPLETED, {"echo": "hi"}, 1)


def test_a_failed_attempt_is_retried_after_its_backoff_then_dead_lettered(jobs_cloud: dict) -> None:
    queued("j")

    def boom(job: Any) -> dict:
        raise RuntimeError(f"boom {job.job.attempts}")

    for attempt, delay in ((1, 60), (2, 300)):
        with pytest.raises(RetryScheduled):
            deliver(jobs_cloud, worker(boom))
        job = services().jobs.get("j")
        assert (job.status, job.attempts, job.history[-1]["retryInSeconds"]) == (JobStatus.PENDING, attempt, delay)
        assert visible(jobs_cloud) == 0  # hidden for the backoff
        _make_visible(jobs_cloud)

    assert deliver(jobs_cloud, worker(boom)) == Outcome.FAILED
    job = services().jobs.get("j")
    assert (job.status, job.attempts, job.error["message"]) == (JobStatus.FAILED, 3, "boom 3")
    [dead] = dead_letters(jobs_cloud)
    assert dead["MessageAttributes"][REASON_ATTRIBUTE]["StringValue"] == "RuntimeError: boom 3"


def test_a_permanent_error_fails_at_once(jobs_cloud: dict) -> None:
    queued("j")

    def refuse(job: Any) -> dict:
        raise PermanentJobError("no such account")

    assert deliver(jobs_cloud, worker(refuse)) == Outcome.FAILED
    assert services().jobs.get("j").attempts == 1
    assert len(dead_letters(jobs_cloud)) == 1


def test_a_rate_limit_waits_what_the_server_asked(jobs_cloud: dict) -> None:
    queued("j")

    def limited(job: Any) -> dict:
        raise RateLimited("429", retry_after=7)

    with pytest.raises(RetryScheduled):
        deliver(jobs_cloud, worker(limited))
    assert services().jobs.get("j").history[-1]["retryInSeconds"] == 7


def test_an_invalid_payload_fails_without_an_attempt(jobs_cloud: dict) -> None:
    queued("j", payload={"echo": 5})
    assert deliver(jobs_cloud, worker()) == Outcome.FAILED
    job = services().jobs.get("j")
    assert (job.status, job.attempts, job.error["type"]) == (JobStatus.FAILED, 0, "InvalidPayload")
    assert "echo: Input should be a valid string" in job.error["message"]


def test_a_message_that_is_no_job_goes_to_the_dlq(jobs_cloud: dict) -> None:
    boto3.client("sqs").send_message(QueueUrl=jobs_cloud["supporting"], MessageBody='{"hello": 1}')
    assert deliver(jobs_cloud, worker()) == Outcome.REJECTED
    [dead] = dead_letters(jobs_cloud)
    assert "jobId: Field required" in dead["MessageAttributes"][REASON_ATTRIBUTE]["StringValue"]


def test_cancelled_and_superseded_deliveries_are_skipped(jobs_cloud: dict) -> None:
    queued("j")
    services().jobs.cancel("j")
    assert deliver(jobs_cloud, worker()) == Outcome.SKIPPED
    assert services().jobs.get("j").skipped == 1

    jobs = services()
    jobs.queues.send(SUPPORTING, JobMessage(job_id="j", type=JobType.NOOP, delivery=1))
    jobs.jobs.requeue(jobs.jobs.get("j"))  # a retry made delivery 2
    assert deliver(jobs_cloud, worker()) == Outcome.SKIPPED


def test_a_job_waits_for_its_organization_without_using_an_attempt(jobs_cloud: dict) -> None:
    store = services().jobs  # limit 2
    for job_id in ("a", "b"):
        store.create(NewJob(job_id, JobType.NOOP, "org-1", {}))
        store.start(store.get(job_id))
    queued("c")

    assert deliver(jobs_cloud, worker()) == Outcome.DEFERRED
    job = store.get("c")
    assert (job.status, job.attempts) == (JobStatus.PENDING, 0)
    attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=jobs_cloud["supporting"], AttributeNames=["All"])
    assert attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"  # sent again, not re-received


def test_a_stalled_running_job_is_released_and_run_again(jobs_cloud: dict) -> None:
    queued("j")
    store = services().jobs
    store.start(store.get("j"))
    store._table.update_item(
        Key={"id": "j"},
        UpdateExpression="SET heartbeatMs = :old",
        ExpressionAttributeValues={":old": int((time.time() - 3600) * 1000)},
    )

    assert deliver(jobs_cloud, worker()) == Outcome.COMPLETED
    job = store.get("j")
    assert [h["outcome"] for h in job.history] == ["stalled", "completed"] and job.attempts == 2


def test_a_fresh_running_job_delivered_again_is_a_duplicate(jobs_cloud: dict) -> None:
    queued("j")
    store = services().jobs
    store.start(store.get("j"))
    assert deliver(jobs_cloud, worker()) == Outcome.SKIPPED
    assert store.get("j").status == JobStatus.RUNNING


def test_a_dead_letter_redriven_to_the_queue_is_retried(jobs_cloud: dict) -> None:
    queued("j", payload={"echo": 5})
    deliver(jobs_cloud, worker())  # invalid: FAILED and dead-lettered
    [dead] = dead_letters(jobs_cloud)
    sqs = boto3.client("sqs")
    sqs.send_message(
        QueueUrl=jobs_cloud["supporting"],
        MessageBody=dead["Body"],  # what a redrive does
        MessageAttributes={REASON_ATTRIBUTE: {"DataType": "String", "StringValue": "x"}},
    )

    assert deliver(jobs_cloud, worker()) == Outcome.REQUEUED
    job = services().jobs.get("j")
    assert (job.status, job.delivery) == (JobStatus.PENDING, 2)
    assert json.loads(received_record(jobs_cloud["supporting"])["body"])["delivery"] == 2


def _make_visible(cloud: dict) -> None:
    """End the backoff of the message just delivered now, instead of waiting for it."""
    boto3.client("sqs").change_message_visibility(
        QueueUrl=cloud["supporting"], ReceiptHandle=_receipts[-1], VisibilityTimeout=0
    )
