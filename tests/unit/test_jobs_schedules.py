"""Schedule firings and the stalled-job sweeper on moto."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from conveyor.jobs.catalog import JobStatus, JobType
from conveyor.jobs.data.sources import SourceStore
from conveyor.jobs.schedule_targets import schedule_targets
from conveyor.jobs.schedules import ScheduleName, fire, parse_scheduled_time, scheduled_job_id
from conveyor.jobs.services import services
from conveyor.jobs.stalled import recover_stalled
from conveyor.jobs.store import NewJob

NOON = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def fire_scraping(when: datetime = NOON) -> dict:
    jobs = services()
    return fire(jobs.jobs, jobs.queues, schedule_targets(jobs, ScheduleName.CONTEXT_SCRAPING), when).summary()


def test_scheduled_ids_are_type_schedule_and_time() -> None:
    assert scheduled_job_id(JobType.SYNC_RSS, "blog", NOON) == "SYNC_RSS-blog-20260101T120000Z"
    assert parse_scheduled_time("2026-01-01T12:00:00Z") == NOON


def test_a_firing_creates_one_job_per_healthy_source_once(jobs_cloud: dict) -> None:
    sources = services().sources
    sources.register("blog", "org-1", "rss", "http://blog/feed")
    sources.register("site", "org-1", "website", "http://site/")
    sources.register("dead", "org-1", "website", "http://dead/")
    for _ in range(5):
        sources.failed("dead", "HTTP 500")

    first, repeated = fire_scraping(), fire_scraping()

    assert sorted(first["created"]) == ["SCRAPE_WEBSITE-site-20260101T120000Z", "SYNC_RSS-blog-20260101T120000Z"]
    assert repeated["created"] == [] and sorted(repeated["duplicates"]) == sorted(first["created"])
    job = services().jobs.get("SYNC_RSS-blog-20260101T120000Z")
    assert (job.payload, job.schedule_id) == ({"sourceId": "blog", "feedUrl": "http://blog/feed"}, "blog")


def test_a_firing_skips_a_source_whose_last_job_is_active(jobs_cloud: dict) -> None:
    services().sources.register("site", "org-1", "website", "http://site/")
    fire_scraping()
    later = datetime(2026, 1, 1, 18, 0, tzinfo=UTC)

    assert fire_scraping(later)["skippedActive"] == ["SCRAPE_WEBSITE-site-20260101T180000Z"]

    store = services().jobs
    store.cancel("SCRAPE_WEBSITE-site-20260101T120000Z")
    assert fire_scraping(later)["created"] == ["SCRAPE_WEBSITE-site-20260101T180000Z"]


def test_five_failures_in_a_row_make_a_source_unhealthy_and_a_success_heals_it(jobs_cloud: dict) -> None:
    sources: SourceStore = services().sources
    sources.register("s", "org-1", "website", "http://s/")
    assert [sources.failed("s", "x").healthy for _ in range(5)] == [True, True, True, True, False]
    sources.succeeded("s")
    assert (sources.get("s").healthy, sources.get("s").consecutive_failures) == (True, 0)


def test_the_sweeper_sends_stalled_jobs_again_with_a_new_delivery(jobs_cloud: dict) -> None:
    jobs = services()
    for job_id in ("stalled", "alive"):
        jobs.jobs.create(NewJob(job_id, JobType.NOOP, "org-1", {}))
        jobs.jobs.start(jobs.jobs.get(job_id))
    jobs.jobs._table.update_item(
        Key={"id": "stalled"},
        UpdateExpression="SET heartbeatMs = :old",
        ExpressionAttributeValues={":old": int((time.time() - 3600) * 1000)},
    )

    assert recover_stalled(jobs.jobs, jobs.queues) == ["stalled"]

    stalled = jobs.jobs.get("stalled")
    assert (stalled.status, stalled.delivery, stalled.error["type"]) == (JobStatus.PENDING, 2, "Stalled")
    assert jobs.jobs.get("alive").status == JobStatus.RUNNING
    assert jobs.jobs.org_running("org-1") == 1
    assert jobs.queues.depth(stalled.queue).visible == 1
