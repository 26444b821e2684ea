"""Job records, their status changes and counters, and listing, on moto DynamoDB."""

from __future__ import annotations

import json

import pytest

from content_jobs.catalog import REGISTRY, JobType, QueueName
from content_jobs.settings import ApiSettings
from conveyor.core.aws import AwsClients
from conveyor.core.dynamo import plain
from conveyor.core.errors import MAX_MESSAGE_CHARS, InvalidRequest
from conveyor.jobs.errors import NotAllowed
from conveyor.jobs.listing import JobFilter
from conveyor.jobs.records import MAX_HISTORY, Failure, NewJob
from conveyor.jobs.service import JobService
from conveyor.jobs.status import JobStatus
from conveyor.jobs.store import JobChanged, JobExists, OrganizationAtLimit

from .conftest import ORG_RUNNING_LIMIT, ManualClock

SUPPORTING = QueueName.SUPPORTING.value
BOOM = Failure(type="Boom", message="x")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_767_225_600.0)  # 2026-01-01T00:00:00Z


@pytest.fixture
def jobs(aws: AwsClients, clock: ManualClock) -> JobService:
    return JobService.build(ApiSettings.from_environment(), aws, REGISTRY, clock)


def new(job_id: str, org: str = "org-1", job_type: JobType = JobType.NOOP, **payload: object) -> NewJob:
    return NewJob(job_id, job_type, org, REGISTRY.parse_payload(job_type, payload))


def create(jobs: JobService, job_id: str, org: str = "org-1", job_type: JobType = JobType.NOOP, **payload: object):
    return jobs.store.create(new(job_id, org, job_type, **payload), REGISTRY.queue_of(job_type))


def counts(jobs: JobService, queue: str = SUPPORTING) -> dict[str, int]:
    return {status.value: count for status, count in jobs.store.counters.by_queue([queue])[queue].items() if count}


def test_create_is_once_per_id_counts_pending_and_takes_the_clock(jobs: JobService) -> None:
    job = create(jobs, "j-1", echo="hi")
    with pytest.raises(JobExists) as exists:  # the existing job comes back with the refusal, no read needed
        create(jobs, "j-1")
    assert exists.value.existing == job == jobs.store.get("j-1")
    assert (job.status, job.queue, job.attempts, job.delivery) == (JobStatus.PENDING, SUPPORTING, 0, 1)
    assert (job.payload, job.created_at) == ({"echo": "hi"}, "2026-01-01T00:00:00.000Z")
    assert counts(jobs) == {"PENDING": 1}


def test_an_organization_runs_at_most_its_limit(jobs: JobService) -> None:
    pending = {job_id: create(jobs, job_id) for job_id in ("a", "b", "c")}
    running = [jobs.store.start(pending[job_id], ORG_RUNNING_LIMIT) for job_id in ("a", "b")]
    with pytest.raises(OrganizationAtLimit):
        jobs.store.start(pending["c"], ORG_RUNNING_LIMIT)
    with pytest.raises(JobChanged):  # a second start of what was PENDING: it is RUNNING now
        jobs.store.start(pending["a"], ORG_RUNNING_LIMIT)
    create(jobs, "other", org="org-2")
    jobs.store.start(jobs.store.get("other"), ORG_RUNNING_LIMIT)

    jobs.store.complete(running[0], {"ok": True})
    jobs.store.start(pending["c"], ORG_RUNNING_LIMIT)

    assert jobs.store.counters.org_running("org-1") == 2
    assert counts(jobs) == {"RUNNING": 3, "COMPLETED": 1}


def test_jobs_started_together_each_get_their_own_outcome(jobs: JobService) -> None:
    orgs = {"a": "org-1", "b": "org-2", "c": "org-2"}
    pending = {job_id: create(jobs, job_id, org=org) for job_id, org in orgs.items()}
    pending |= {job_id: create(jobs, job_id, org="org-3") for job_id in ("d", "e", "f")}  # one more than its limit
    jobs.store.start(pending["a"], ORG_RUNNING_LIMIT)  # "a" moved on after the batch read it

    started = jobs.store.start_all(list(pending.values()), ORG_RUNNING_LIMIT)

    assert isinstance(started["a"], JobChanged) and started["a"].current.status == JobStatus.RUNNING
    assert {job_id: started[job_id].status for job_id in "bc"} == {"b": JobStatus.RUNNING, "c": JobStatus.RUNNING}
    assert sorted(type(started[job_id]).__name__ for job_id in "def") == ["Job", "Job", "OrganizationAtLimit"]
    running = [started[job_id] for job_id in "bcdef" if not isinstance(started[job_id], OrganizationAtLimit)]
    assert all(job == jobs.store.get(job.id) for job in running)  # as stored, without a read
    assert [jobs.store.counters.org_running(org) for org in ("org-1", "org-2", "org-3")] == [1, 2, 2]
    assert counts(jobs) == {"PENDING": 1, "RUNNING": 5}

    completed = jobs.store.complete_all([(job, {"id": job.id}) for job in running])
    assert {job_id: job.status for job_id, job in completed.items()} == {job.id: JobStatus.COMPLETED for job in running}
    assert counts(jobs) == {"PENDING": 1, "RUNNING": 1, "COMPLETED": 4}
    assert [jobs.store.counters.org_running(org) for org in ("org-1", "org-2", "org-3")] == [1, 0, 0]


def test_each_change_returns_the_job_as_stored(jobs: JobService, clock: ManualClock) -> None:
    create(jobs, "j")
    clock.advance(2)
    running = jobs.store.start(jobs.store.get("j"), ORG_RUNNING_LIMIT)
    assert running == jobs.store.get("j")
    assert (running.status, running.attempts, running.started_at) == (JobStatus.RUNNING, 1, "2026-01-01T00:00:02.000Z")
    done = jobs.store.complete(running, {"n": 1})
    assert done == jobs.store.get("j") and done.heartbeat_ms is None and done.result == {"n": 1}


def test_a_result_after_cancel_is_discarded_and_the_slot_is_freed(jobs: JobService) -> None:
    create(jobs, "j")
    running = jobs.store.start(jobs.store.get("j"), ORG_RUNNING_LIMIT)

    cancelled = jobs.cancel(jobs.get("j"))

    assert cancelled.status == JobStatus.CANCELLED and jobs.store.counters.org_running("org-1") == 0
    with pytest.raises(JobChanged) as changed:
        jobs.store.complete(running, {"late": True})
    assert changed.value.current.status == JobStatus.CANCELLED  # what it is now, from the failed write
    assert jobs.store.get("j").result is None
    with pytest.raises(NotAllowed, match="CANCELLED"):
        jobs.cancel(jobs.get("j"))
    assert counts(jobs) == {"CANCELLED": 1}


def test_cancel_follows_a_job_that_moved_on_since_it_was_read(jobs: JobService) -> None:
    create(jobs, "j")
    stale = jobs.store.get("j")
    jobs.store.start(stale, ORG_RUNNING_LIMIT)  # moved on after the caller read it
    cancelled = jobs.store.cancel(stale)
    assert cancelled.status == JobStatus.CANCELLED and jobs.store.counters.org_running("org-1") == 0


def test_retry_later_keeps_history_and_requeue_starts_afresh(jobs: JobService) -> None:
    create(jobs, "j")
    running = jobs.store.start(jobs.store.get("j"), ORG_RUNNING_LIMIT)
    pending = jobs.store.retry_later(running, BOOM, 60)
    assert (pending.status, pending.attempts, pending.error) == (JobStatus.PENDING, 1, BOOM)
    assert pending.history[0].retry_in_seconds == 60
    failed = jobs.store.fail(jobs.store.start(pending, ORG_RUNNING_LIMIT), Failure(type="Boom", message="y"))

    requeued = jobs.store.requeue(failed)

    assert (requeued.status, requeued.attempts, requeued.delivery, requeued.error) == (JobStatus.PENDING, 0, 2, None)
    assert len(requeued.history) == 2 and requeued == jobs.store.get("j")
    with pytest.raises(NotAllowed):  # a stale view (the delivery before the retry) changes nothing
        jobs.store.requeue(failed)
    assert counts(jobs) == {"PENDING": 1}


def test_a_jobs_history_is_bounded_and_older_entries_are_summarized(jobs: JobService) -> None:
    long_error = Failure.of(RuntimeError("GET https://example.com/" + "x" * 6_000 + ": HTTP 503"))
    job = create(jobs, "j")
    for _ in range(4):  # 4 retries of 3 attempts: 12 failed attempts, each with a 2,000-character error
        for _ in range(3):
            job = jobs.store.retry_later(jobs.store.start(job, ORG_RUNNING_LIMIT), long_error, 60)
        job = jobs.store.requeue(jobs.store.fail(jobs.store.start(job, ORG_RUNNING_LIMIT), long_error))

    stored = jobs.store.get("j")
    assert stored == job and len(stored.history) == MAX_HISTORY
    assert stored.earlier_history is not None
    assert (stored.earlier_history.entries, stored.earlier_history.outcomes) == (6, {"failed": 6})
    assert stored.earlier_history.since == "2026-01-01T00:00:00.000Z"  # when the first attempt began
    assert len(long_error.message) == MAX_MESSAGE_CHARS
    item = jobs.store._table.get_item(Key={"id": "j"})["Item"]
    assert len(json.dumps(plain(item))) < 40_000  # far inside DynamoDB's 400 KB, however many retries


def test_requeue_of_a_pending_job_leaves_the_counts_as_they_are(jobs: JobService) -> None:
    """A PENDING job whose message SQS dead-lettered is retried PENDING -> PENDING."""
    job = create(jobs, "j")
    assert jobs.store.requeue(job).delivery == 2
    assert counts(jobs) == {"PENDING": 1}


def test_an_unknown_type_is_refused_naming_the_field(jobs: JobService) -> None:
    with pytest.raises(InvalidRequest) as refused:
        jobs.submit(NewJob("j", "MAKE_COFFEE", "o", REGISTRY.parse_payload(JobType.NOOP, {})))
    assert refused.value.field == "type" and jobs.store.get("j") is None


def test_lists_filter_and_page_with_next_token(jobs: JobService, clock: ManualClock) -> None:
    for index in range(5):
        clock.advance(1)
        job_type = JobType.GENERATE_IMAGE if index < 2 else JobType.NOOP
        payload = {"prompt": "a sea"} if index < 2 else {}
        create(jobs, f"j-{index}", org="org-a" if index % 2 else "org-b", job_type=job_type, **payload)
    jobs.store.start(jobs.store.get("j-3"), ORG_RUNNING_LIMIT)

    seen, token = [], None
    while True:
        page, token = jobs.page(JobFilter(), 2, token)
        seen += [job.id for job in page]
        if token is None:
            break
    assert seen == [f"j-{i}" for i in (4, 3, 2, 1, 0)]  # newest first, each once

    def ids(filters: JobFilter) -> list[str]:
        return [job.id for job in jobs.page(filters, 10)[0]]

    assert ids(JobFilter(organization_id="org-a")) == ["j-3", "j-1"]
    assert ids(JobFilter(status=JobStatus.RUNNING)) == ["j-3"]
    assert ids(JobFilter(type=JobType.GENERATE_IMAGE)) == ["j-1", "j-0"]
    assert ids(JobFilter(organization_id="org-b", type=JobType.NOOP, status=JobStatus.PENDING)) == ["j-4", "j-2"]
    assert ids(JobFilter(queue=QueueName.CONTENT_GENERATION)) == []


def test_a_token_of_another_listing_or_a_forged_one_is_refused(jobs: JobService) -> None:
    for index in range(3):
        create(jobs, f"j-{index}", org="org-a")
    _, token = jobs.page(JobFilter(organization_id="org-a"), 1)
    assert token is not None
    for filters, forged in ((JobFilter(organization_id="org-b"), token), (JobFilter(), "%%%"), (JobFilter(), "e30")):
        with pytest.raises(InvalidRequest) as refused:
            jobs.page(filters, 1, forged)
        assert refused.value.field == "nextToken"
