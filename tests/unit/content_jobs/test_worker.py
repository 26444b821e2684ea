"""The worker's rule for one delivery, on moto SQS and DynamoDB, with scripted processors."""

from __future__ import annotations

import json
from collections import Counter

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from content_jobs.catalog import JobType, QueueName
from content_jobs.errors import RateLimited
from content_jobs.payloads import NoopPayload
from conveyor.core.dead_letter import REASON_ATTRIBUTE
from conveyor.core.errors import PermanentError
from conveyor.jobs.context import JobContext
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.records import NewJob
from conveyor.jobs.registry import JobPayload
from conveyor.jobs.status import JobStatus
from conveyor.jobs.worker import JobWorker, Outcome, RetryScheduled

from .conftest import MAX_STALLS, Deliveries, dead_letters, queue_attribute, received_record, received_records

SUPPORTING = QueueName.SUPPORTING.value


class WrongNoopPayload(JobPayload):
    echo: int


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
    deliveries.jobs.cancel(deliveries.job("j"))
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

    assert deliveries.deliver() == Outcome.RELEASED  # its message came back: sent again, as delivery 2
    assert deliveries.deliver() == Outcome.COMPLETED
    job = deliveries.job("j")
    assert [entry.outcome for entry in job.history] == ["stalled", "completed"]
    assert (job.attempts, job.stalls, job.delivery) == (1, 1, 2)  # the stall spent no attempt
    assert deliveries.jobs.store.counters.org_running("org-1") == 0


class WorkerKilled(BaseException):
    """The worker process dies mid-attempt (SIGKILL, a Lambda timeout): nothing after it runs."""


def test_stalls_do_not_spend_the_jobs_attempts(deliveries: Deliveries) -> None:
    """Fails, is killed, fails, is killed, succeeds: its 3rd attempt, with 2 stalls between."""
    deliveries.queue("j")
    tries = iter(["fail", "kill", "fail", "kill", "succeed"])

    def attempt(job: JobContext) -> dict:
        match next(tries):
            case "fail":
                raise RuntimeError("the remote side failed")
            case "kill":
                raise WorkerKilled()
        return {"done": True}

    def run(expected: Outcome | type[BaseException]) -> None:
        if isinstance(expected, Outcome):
            assert deliveries.deliver(attempt) == expected
            return
        with pytest.raises(expected):
            deliveries.deliver(attempt)
        deliveries.end_backoff()  # (or the lock of the killed attempt) is over: its message is back

    run(RetryScheduled)  # attempt 1 fails
    for _ in range(2):
        run(WorkerKilled)  # attempt 2 (then 3) is killed with its worker
        deliveries.clock.advance(3600)  # no heartbeat past the lock: its message comes back
        run(Outcome.RELEASED)
        run(RetryScheduled if _ == 0 else Outcome.COMPLETED)  # attempt 2 fails; attempt 3 succeeds

    job = deliveries.job("j")
    assert (job.status, job.attempts, job.stalls) == (JobStatus.COMPLETED, 3, 2)
    assert [entry.outcome for entry in job.history] == ["failed", "stalled", "failed", "stalled", "completed"]
    assert [entry.attempt for entry in job.history] == [1, 2, 2, 3, 3]


def test_one_stall_over_the_budget_fails_the_job_with_the_stall_as_reason(deliveries: Deliveries) -> None:
    deliveries.queue("j")

    def killed(job: JobContext) -> dict:
        raise WorkerKilled()

    for stall in range(MAX_STALLS + 1):
        with pytest.raises(WorkerKilled):
            deliveries.deliver(killed)
        deliveries.end_backoff()
        deliveries.clock.advance(3600)
        expected = Outcome.RELEASED if stall < MAX_STALLS else Outcome.FAILED
        assert deliveries.deliver() == expected

    job = deliveries.job("j")
    assert (job.status, job.attempts, job.stalls, job.error.type) == (JobStatus.FAILED, 0, MAX_STALLS + 1, "Stalled")
    assert f"allowed {MAX_STALLS}" in job.error.message
    [dead] = dead_letters(deliveries.resources.queue_urls[f"{SUPPORTING}-dlq"])
    assert dead["MessageAttributes"][REASON_ATTRIBUTE]["StringValue"].startswith("Stalled: attempt 1 stopped")
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


# -- a batch of deliveries: DynamoDB work per batch, outcomes per delivery ---------------------


def dynamodb_calls(deliveries: Deliveries) -> Counter[str]:
    """The DynamoDB operations the job store makes from now on, by name."""
    calls: Counter[str] = Counter()
    client = deliveries.aws.table(deliveries.settings.jobs_table).meta.client
    client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.update([model.name]))
    return calls


def test_a_batch_reads_its_jobs_once_and_starts_and_completes_them_in_one_transaction_each(
    deliveries: Deliveries,
) -> None:
    for index in range(10):
        deliveries.queue(f"j-{index}", org=f"org-{index % 5}", payload=NoopPayload(echo=str(index)))
    calls = dynamodb_calls(deliveries)

    outcomes = deliveries.deliver_batch(10)

    assert outcomes == {f"j-{index}": Outcome.COMPLETED for index in range(10)}
    assert (calls["BatchGetItem"], calls["TransactWriteItems"], calls["GetItem"]) == (1, 2, 0)
    assert [deliveries.job(f"j-{index}").result for index in range(10)] == [{"echo": str(i)} for i in range(10)]
    counts = deliveries.jobs.store.counters.by_queue([SUPPORTING])[SUPPORTING]
    assert (counts[JobStatus.COMPLETED], counts[JobStatus.RUNNING], counts[JobStatus.PENDING]) == (10, 0, 0)
    assert [deliveries.jobs.store.counters.org_running(f"org-{org}") for org in range(5)] == [0] * 5


def test_each_delivery_of_a_batch_keeps_its_own_outcome(deliveries: Deliveries) -> None:
    for job_id in ("ok", "boom", "permanent", "cancelled"):
        deliveries.queue(job_id, org=f"org-{job_id}")
    deliveries.jobs.cancel(deliveries.job("cancelled"))
    deliveries.jobs.queues.send(SUPPORTING, JobMessage(job_id="ghost", type=JobType.NOOP, delivery=1))

    def behaviour(job: JobContext) -> dict:
        if job.job_id == "boom":
            raise RuntimeError("boom")
        if job.job_id == "permanent":
            raise PermanentError("no")
        return {"ran": job.job_id}

    outcomes = deliveries.deliver_batch(5, behaviour)

    assert outcomes == {
        "ok": Outcome.COMPLETED,
        "boom": Outcome.RETRY_SCHEDULED,
        "permanent": Outcome.FAILED,
        "cancelled": Outcome.SKIPPED,
        "ghost": Outcome.REJECTED,
    }
    statuses = {job_id: deliveries.job(job_id).status for job_id in ("ok", "boom", "permanent", "cancelled")}
    assert statuses == {
        "ok": JobStatus.COMPLETED,
        "boom": JobStatus.PENDING,
        "permanent": JobStatus.FAILED,
        "cancelled": JobStatus.CANCELLED,
    }
    assert deliveries.job("boom").history[-1].retry_in_seconds == 60
    assert [deliveries.jobs.store.counters.org_running(f"org-{job_id}") for job_id in statuses] == [0] * 4


def test_an_organization_starts_what_its_slots_allow_from_a_batch(deliveries: Deliveries) -> None:
    for job_id in ("a", "b", "c"):
        deliveries.queue(job_id, org="org-1")  # its limit is 2
    deliveries.queue("other", org="org-2")

    outcomes = deliveries.deliver_batch(4)

    assert outcomes["other"] == Outcome.COMPLETED
    assert sorted(outcomes[job_id] for job_id in "abc") == sorted(
        [Outcome.COMPLETED, Outcome.COMPLETED, Outcome.DEFERRED]
    )
    [waiting] = [job_id for job_id in ("a", "b", "c") if outcomes[job_id] == Outcome.DEFERRED]
    assert (deliveries.job(waiting).status, deliveries.job(waiting).attempts) == (JobStatus.PENDING, 0)
    assert deliveries.jobs.store.counters.org_running("org-1") == 0


def test_a_job_cancelled_while_its_batch_runs_has_its_result_discarded(deliveries: Deliveries) -> None:
    deliveries.queue("a")
    deliveries.queue("b")

    def behaviour(job: JobContext) -> dict:
        if job.job_id == "b":  # "a" has run; its result waits for the batch's completion
            deliveries.jobs.cancel(deliveries.job("a"))
        return {"ran": job.job_id}

    assert deliveries.deliver_batch(2, behaviour) == {"a": Outcome.DISCARDED, "b": Outcome.COMPLETED}
    assert (deliveries.job("a").status, deliveries.job("a").result) == (JobStatus.CANCELLED, None)
    assert deliveries.job("b").result == {"ran": "b"}
    assert deliveries.jobs.store.counters.org_running("org-1") == 0


def test_two_copies_of_one_delivery_in_a_batch_run_it_once(deliveries: Deliveries) -> None:
    deliveries.queue("j")
    deliveries.jobs.queues.send(SUPPORTING, JobMessage.of(deliveries.job("j")))  # SQS delivers at least once

    records = [SQSRecord(record) for record in received_records(deliveries.queue_url, 2)]
    outcomes = sorted(deliveries.worker().handle_batch(records).values())

    assert outcomes == sorted([Outcome.COMPLETED, Outcome.SKIPPED])
    assert (deliveries.job("j").attempts, deliveries.job("j").skipped) == (1, 1)
