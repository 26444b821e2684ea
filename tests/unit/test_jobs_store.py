"""Job records and their counters on moto DynamoDB."""

from __future__ import annotations

import dataclasses

import pytest

from conveyor.jobs.catalog import JobStatus, JobType, QueueName
from conveyor.jobs.services import services
from conveyor.jobs.store import JobFilter, NewJob, NotAllowed, StartResult


def new(job_id: str, org: str = "org-1", job_type: JobType = JobType.NOOP) -> NewJob:
    return NewJob(job_id, job_type, org, {})


def test_create_is_once_per_id_and_counts_pending(jobs_cloud: dict) -> None:
    store = services().jobs
    assert store.create(new("j-1")) is True
    assert store.create(new("j-1")) is False
    job = store.get("j-1")
    assert (job.status, job.queue, job.attempts, job.delivery) == (JobStatus.PENDING, QueueName.SUPPORTING, 0, 1)
    assert store.counts()[QueueName.SUPPORTING][JobStatus.PENDING] == 1


def test_an_organization_runs_at_most_its_limit(jobs_cloud: dict) -> None:
    store = services().jobs  # JOB_ORG_RUNNING_LIMIT=2
    for job_id in ("a", "b", "c"):
        store.create(new(job_id))
    results = [store.start(store.get(job_id)) for job_id in ("a", "b", "c")]
    assert results == [StartResult.STARTED, StartResult.STARTED, StartResult.ORG_BUSY]
    assert store.start(store.get("a")) == StartResult.GONE  # no longer PENDING
    store.create(new("other", org="org-2"))
    assert store.start(store.get("other")) == StartResult.STARTED

    assert store.complete(store.get("a"), {"ok": True})
    assert store.start(store.get("c")) == StartResult.STARTED
    assert store.org_running("org-1") == 2
    counts = store.counts()[QueueName.SUPPORTING]
    assert (counts[JobStatus.RUNNING], counts[JobStatus.COMPLETED], counts[JobStatus.PENDING]) == (3, 1, 0)


def test_a_result_after_cancel_is_discarded_and_the_slot_is_freed(jobs_cloud: dict) -> None:
    store = services().jobs
    store.create(new("j"))
    store.start(store.get("j"))
    running = store.get("j")

    cancelled = store.cancel("j")

    assert cancelled.status == JobStatus.CANCELLED and store.org_running("org-1") == 0
    assert store.complete(running, {"late": True}) is False
    assert store.get("j").result is None
    with pytest.raises(NotAllowed):
        store.cancel("j")


def test_retry_later_keeps_history_and_requeue_starts_afresh(jobs_cloud: dict) -> None:
    store = services().jobs
    store.create(new("j"))
    store.start(store.get("j"))
    assert store.retry_later(store.get("j"), {"type": "Boom", "message": "x"}, 60)
    pending = store.get("j")
    assert (pending.status, pending.attempts, pending.error["type"]) == (JobStatus.PENDING, 1, "Boom")
    assert pending.history[0]["retryInSeconds"] == 60
    store.start(pending)
    assert store.fail(store.get("j"), {"type": "Boom", "message": "y"})

    requeued = store.requeue(store.get("j"))

    assert (requeued.status, requeued.attempts, requeued.delivery, requeued.error) == (JobStatus.PENDING, 0, 2, None)
    assert len(requeued.history) == 2
    with pytest.raises(NotAllowed):  # a stale view (the delivery before the retry) changes nothing
        store.requeue(dataclasses.replace(requeued, status=JobStatus.FAILED, delivery=1))


def test_lists_filter_and_page(jobs_cloud: dict) -> None:
    store = services().jobs
    for index in range(5):
        store.create(
            new(
                f"j-{index}",
                org="org-a" if index % 2 else "org-b",
                job_type=JobType.GENERATE_IMAGE if index < 2 else JobType.NOOP,
            )
        )
    store.start(store.get("j-3"))

    seen, cursor = [], None
    while True:
        page, cursor = store.list(JobFilter(), 2, cursor)
        seen += [job.id for job in page]
        if cursor is None:
            break
    assert sorted(seen) == [f"j-{i}" for i in range(5)]
    assert [j.id for j in store.list(JobFilter(organization_id="org-a"), 10, None)[0]] == ["j-3", "j-1"]
    assert [j.id for j in store.list(JobFilter(status=JobStatus.RUNNING), 10, None)[0]] == ["j-3"]
    assert {j.id for j in store.list(JobFilter(type=JobType.GENERATE_IMAGE), 10, None)[0]} == {"j-0", "j-1"}
    only = store.list(JobFilter(organization_id="org-b", type=JobType.NOOP, status=JobStatus.PENDING), 10, None)[0]
    assert {j.id for j in only} == {"j-2", "j-4"}
