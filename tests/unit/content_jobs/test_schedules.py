"""Schedule firings and the stalled-job sweeper on moto."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from content_jobs.catalog import REGISTRY, JobType, QueueName
from content_jobs.data.sources import SourceStore
from content_jobs.data.table import DataTable
from content_jobs.payloads import NoopPayload
from content_jobs.scheduler import ContentJobsScheduler
from content_jobs.schedules import Firing, ScheduleName
from content_jobs.settings import SchedulerSettings, SweeperSettings
from conveyor.core.aws import AwsClients
from conveyor.jobs.records import NewJob
from conveyor.jobs.schedules import scheduled_job_id
from conveyor.jobs.service import JobService
from conveyor.jobs.stalled import StalledJobs, StallReport
from conveyor.jobs.status import JobStatus

from .conftest import ContentJobsResources, ManualClock, queue_attribute

NOON = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def scheduler(aws: AwsClients) -> ContentJobsScheduler:
    return ContentJobsScheduler(SchedulerSettings.from_environment(), aws)


@pytest.fixture
def sources(aws: AwsClients, content_jobs: ContentJobsResources) -> SourceStore:
    return SourceStore(DataTable(aws.table(content_jobs.data_table)))


def fire(scheduler: ContentJobsScheduler, when: datetime = NOON) -> dict:
    firing = Firing(schedule=ScheduleName.CONTEXT_SCRAPING, scheduled_time=when)
    return scheduler.fire(firing).model_dump(mode="json")


def test_scheduled_ids_are_type_schedule_and_time_and_a_firing_reads_its_time() -> None:
    assert scheduled_job_id(JobType.SYNC_RSS, "blog", NOON) == "SYNC_RSS-blog-20260101T120000Z"
    event = {"schedule": "analytics", "scheduledTime": "2026-01-01T12:00:00Z"}
    assert Firing.model_validate(event).scheduled_time == NOON
    with pytest.raises(ValueError):  # a time without a zone
        Firing.model_validate({**event, "scheduledTime": "2026-01-01T12:00:00"})


def test_a_firing_creates_one_job_per_healthy_source_once(
    scheduler: ContentJobsScheduler, sources: SourceStore
) -> None:
    sources.register("blog", "org-1", "rss", "http://blog/feed")
    sources.register("site", "org-1", "website", "http://site/")
    sources.register("dead", "org-1", "website", "http://dead/")
    for _ in range(5):
        sources.failed("dead", "HTTP 500")

    first, repeated = fire(scheduler), fire(scheduler)

    assert sorted(first["created"]) == ["SCRAPE_WEBSITE-site-20260101T120000Z", "SYNC_RSS-blog-20260101T120000Z"]
    assert repeated["created"] == [] and sorted(repeated["duplicates"]) == sorted(first["created"])
    job = scheduler.jobs.get("SYNC_RSS-blog-20260101T120000Z")
    assert (job.payload, job.schedule_id) == ({"sourceId": "blog", "feedUrl": "http://blog/feed"}, "blog")


def test_a_firing_skips_a_source_whose_last_job_is_active(
    scheduler: ContentJobsScheduler, sources: SourceStore
) -> None:
    sources.register("site", "org-1", "website", "http://site/")
    fire(scheduler)
    later = datetime(2026, 1, 1, 18, 0, tzinfo=UTC)

    assert fire(scheduler, later)["skippedActive"] == ["SCRAPE_WEBSITE-site-20260101T180000Z"]

    scheduler.jobs.cancel(scheduler.jobs.get("SCRAPE_WEBSITE-site-20260101T120000Z"))
    assert fire(scheduler, later)["created"] == ["SCRAPE_WEBSITE-site-20260101T180000Z"]


def test_five_failures_in_a_row_make_a_source_unhealthy_and_a_success_heals_it(sources: SourceStore) -> None:
    sources.register("s", "org-1", "website", "http://s/")
    assert [sources.failed("s", "x").healthy for _ in range(5)] == [True, True, True, True, False]
    sources.succeeded("s")
    assert (sources.get("s").healthy, sources.get("s").consecutive_failures) == (True, 0)


def test_the_sweeper_sends_stalled_jobs_again_with_a_new_delivery(
    aws: AwsClients, content_jobs: ContentJobsResources
) -> None:
    clock = ManualClock()
    jobs = JobService.build(SweeperSettings.from_environment(), aws, REGISTRY, clock)
    sweeper = StalledJobs(jobs, max_stalls=3, clock=clock)
    for job_id in ("stalled", "alive"):
        job = jobs.store.create(NewJob(job_id, JobType.NOOP, "org-1", NoopPayload()), QueueName.SUPPORTING)
        jobs.store.start(job, 2)
        if job_id == "stalled":
            clock.advance(3600)  # its heartbeat is an hour old; "alive" starts now

    assert sweeper.recover() == StallReport(released=["stalled"])

    stalled = jobs.get("stalled")
    assert (stalled.status, stalled.delivery, stalled.error.type) == (JobStatus.PENDING, 2, "Stalled")
    assert (stalled.attempts, stalled.stalls, stalled.unsent_since_ms) == (0, 1, None)  # not an attempt; sent
    assert jobs.get("alive").status == JobStatus.RUNNING
    assert jobs.store.counters.org_running("org-1") == 1
    assert queue_attribute(content_jobs.queue_urls["supporting"], "ApproximateNumberOfMessages") == 1
