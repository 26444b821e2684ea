"""`POST /jobs/batch`: many jobs at once, every one checked before any is written, all of
them created or none, idempotent by job id (`JobService.submit_many`, `bulk.create`)."""

from __future__ import annotations

import time

import boto3
import pytest

from content_jobs.settings import SweeperSettings
from content_jobs.sweeper import ContentJobsSweeper
from conveyor.core.aws import AwsClients
from conveyor.core.dynamo import Transaction
from conveyor.jobs.outbox import OVERDUE_SECONDS
from conveyor.jobs.queues import JobQueues
from conveyor.jobs.records import OWED
from conveyor.jobs.routes import MAX_BATCH_JOBS
from conveyor.jobs.worker import Outcome

from ..conftest import ADMIN, OTHER_MEMBER
from .conftest import REGION, Call, ContentJobsResources, Deliveries, queue_attribute

SUPPORTING = "supporting"


def noop(job_id: str | None = None, **payload: object) -> dict:
    return {"type": "NOOP", "payload": payload, **({"jobId": job_id} if job_id else {})}


def messages(content_jobs: ContentJobsResources, queue: str = SUPPORTING) -> int:
    return queue_attribute(content_jobs.queue_urls[queue], "ApproximateNumberOfMessages")


def test_a_batch_creates_and_queues_every_job_in_the_callers_organization(
    call: Call, content_jobs: ContentJobsResources
) -> None:
    jobs = [noop(f"j-{index}", echo=str(index)) for index in range(150)]  # two transactions' worth
    jobs.append({"type": "SYNC_RSS", "payload": {"sourceId": "s", "feedUrl": "https://f/rss"}, "jobId": "rss"})

    status, body = call("POST", "/jobs/batch", {"jobs": jobs})

    assert status == 202, body
    assert (body["created"], body["duplicates"]) == (151, 0)
    assert [job["id"] for job in body["jobs"]] == [f"j-{index}" for index in range(150)] + ["rss"]
    assert body["jobs"][-1]["queue"] == "context-scraping"
    assert messages(content_jobs) == 150 and messages(content_jobs, "context-scraping") == 1
    status, job = call("GET", "/jobs/j-7", job_id="j-7")
    assert (job["status"], job["organizationId"], job["payload"]) == ("PENDING", "org-1", {"echo": "7"})
    status, stats = call("GET", "/jobs/stats", claims=ADMIN)
    assert stats["queues"][SUPPORTING]["jobs"]["PENDING"] == 150


def owed_batches(content_jobs: ContentJobsResources) -> list[dict]:
    table = boto3.resource("dynamodb", region_name=REGION).Table(content_jobs.jobs_table)
    return [item for item in table.scan()["Items"] if item.get("status") == OWED]


def test_once_every_message_is_sent_nothing_is_owed(
    call: Call, deliveries: Deliveries, content_jobs: ContentJobsResources
) -> None:
    call("POST", "/jobs/batch", {"jobs": [noop(f"j-{index}") for index in range(120)]})

    assert owed_batches(content_jobs) == []  # the sweeper has nothing to send again
    assert all(deliveries.job(f"j-{index}").unsent_since_ms is None for index in range(120))


def test_a_wrong_job_is_named_by_its_place_and_nothing_is_written(
    call: Call, content_jobs: ContentJobsResources
) -> None:
    jobs = [noop("a"), {"type": "SYNC_RSS", "payload": {"sourceId": "s"}}, noop("c")]

    status, body = call("POST", "/jobs/batch", {"jobs": jobs})

    assert (status, body["code"]) == (422, "VALIDATION_ERROR")
    assert [e["loc"] for e in body["detail"]] == [["body", "jobs", 1, "payload", "feedUrl"]]
    assert call("GET", "/jobs/a", job_id="a")[0] == 404
    assert messages(content_jobs) == 0


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"jobs": [noop("a"), noop("a")]}, ["body", "jobs", 1, "jobId"]),
        ({"jobs": []}, ["body", "jobs"]),
        ({"jobs": [noop()] * (MAX_BATCH_JOBS + 1)}, ["body", "jobs"]),
        ({"jobs": [{"type": "NOOP", "payload": {}, "organizationId": "org-1"}]}, ["body", "jobs", 0, "organizationId"]),
    ],
)
def test_a_malformed_batch_is_refused_with_the_field(call: Call, body: dict, loc: list) -> None:
    status, answer = call("POST", "/jobs/batch", body)
    assert status == 422 and answer["detail"][0]["loc"] == loc


def test_ids_that_exist_are_duplicates_queued_once(call: Call, content_jobs: ContentJobsResources) -> None:
    call("POST", "/jobs/batch", {"jobs": [noop("a"), noop("b")]})

    status, body = call("POST", "/jobs/batch", {"jobs": [noop("a"), noop("c"), noop("b")]})

    assert status == 202
    assert [(job["id"], job["duplicate"]) for job in body["jobs"]] == [("a", True), ("c", False), ("b", True)]
    assert (body["created"], body["duplicates"]) == (1, 2)
    assert messages(content_jobs) == 3


def test_an_id_of_another_organization_refuses_the_whole_batch(call: Call, content_jobs: ContentJobsResources) -> None:
    call("POST", "/jobs/batch", {"jobs": [noop("theirs")]}, claims=OTHER_MEMBER)

    status, body = call("POST", "/jobs/batch", {"jobs": [noop("mine"), noop("theirs")]})

    assert (status, body["code"], body["field"]) == (409, "CONFLICT", "jobId")
    assert call("GET", "/jobs/mine", job_id="mine")[0] == 404
    assert messages(content_jobs) == 1


def test_a_transaction_failing_part_way_withdraws_what_the_others_created(
    call: Call, content_jobs: ContentJobsResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit, commits = Transaction.commit, []

    def second_fails(tx: Transaction) -> None:
        commits.append(tx)
        if len(commits) == 2:
            raise ConnectionError("DynamoDB is not answering")
        commit(tx)

    monkeypatch.setattr(Transaction, "commit", second_fails)
    status, body = call("POST", "/jobs/batch", {"jobs": [noop(f"j-{index}") for index in range(150)]})
    monkeypatch.setattr(Transaction, "commit", commit)

    assert (status, body["code"]) == (503, "SERVICE_UNAVAILABLE")
    assert "DynamoDB" not in body["message"]  # our words, not the exception's
    assert call("GET", "/jobs/j-0", job_id="j-0")[0] == 404
    assert messages(content_jobs) == 0
    status, stats = call("GET", "/jobs/stats", claims=ADMIN)
    assert stats["queues"][SUPPORTING]["jobs"]["PENDING"] == 0

    status, body = call("POST", "/jobs/batch", {"jobs": [noop(f"j-{index}") for index in range(150)]})
    assert (status, body["created"]) == (202, 150)  # sent again, it is created


def test_messages_that_could_not_be_sent_are_sent_by_the_sweeper_after_a_minute(
    call: Call, deliveries: Deliveries, content_jobs: ContentJobsResources, aws: AwsClients
) -> None:
    def unreachable(*args: object) -> str:
        raise ConnectionError("SQS is not answering")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(JobQueues, "url", unreachable)
        status, body = call("POST", "/jobs/batch", {"jobs": [noop("a"), noop("b")]})
    assert (status, body["created"]) == (202, 2)  # accepted: the batch's outbox item owes their messages
    assert len(owed_batches(content_jobs)) == 1 and messages(content_jobs) == 0
    deliveries.queue("c")  # one more, sent at once: no business of the outbox

    def sweeper_at(seconds_from_now: float) -> ContentJobsSweeper:
        return ContentJobsSweeper(SweeperSettings.from_environment(), aws, lambda: time.time() + seconds_from_now)

    assert sweeper_at(0).sweep().resent == []  # its sender may still be at it
    assert sorted(sweeper_at(OVERDUE_SECONDS + 1).sweep().resent) == ["a", "b"]

    assert owed_batches(content_jobs) == []
    assert {deliveries.deliver(), deliveries.deliver(), deliveries.deliver()} == {Outcome.COMPLETED}
    assert [deliveries.job(job_id).delivery for job_id in "abc"] == [2, 2, 1]
