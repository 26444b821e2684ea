"""The content jobs' schedules and what each one fires for.

    schedule           every     a job for each
    context-scraping   6 hours   healthy context source (SCRAPE_WEBSITE or SYNC_RSS, by its kind)
    analytics          1 hour    connected account that needs no re-authorization (SYNC_ANALYTICS)

EventBridge Scheduler delivers `{"schedule": ..., "scheduledTime": "<aws.scheduler.scheduled-time>"}`;
the scheduled time makes the job ids (`conveyor.jobs.schedules`), so the same firing
delivered twice queues its jobs once.
"""

from __future__ import annotations

from enum import StrEnum
from functools import partial

from pydantic import AwareDatetime

from content_jobs.catalog import JobType
from content_jobs.data.accounts import Account, AccountStore
from content_jobs.data.sources import Source, SourceStore
from content_jobs.payloads import ScrapeWebsitePayload, SyncAnalyticsPayload, SyncRssPayload
from conveyor.core.models import ApiModel
from conveyor.jobs.schedules import ScheduleTarget


class ScheduleName(StrEnum):
    CONTEXT_SCRAPING = "context-scraping"
    ANALYTICS = "analytics"


class Firing(ApiModel):
    """A schedule's input, as EventBridge Scheduler delivers it."""

    schedule: ScheduleName
    scheduled_time: AwareDatetime


class ScheduleTargets:
    def __init__(self, sources: SourceStore, accounts: AccountStore) -> None:
        self._sources = sources
        self._accounts = accounts

    def of(self, schedule: ScheduleName) -> list[ScheduleTarget]:
        if schedule == ScheduleName.CONTEXT_SCRAPING:
            return [self._source_target(source) for source in self._sources.healthy()]
        return [self._account_target(account) for account in self._accounts.schedulable()]

    def _source_target(self, source: Source) -> ScheduleTarget:
        if source.kind == "rss":
            job_type, payload = JobType.SYNC_RSS, SyncRssPayload(source_id=source.id, feed_url=source.url)
        else:
            job_type, payload = JobType.SCRAPE_WEBSITE, ScrapeWebsitePayload(source_id=source.id, url=source.url)
        return ScheduleTarget(
            schedule_id=source.id,
            job_type=job_type,
            organization_id=source.organization_id,
            payload=payload,
            last_job_id=source.last_job_id,
            remember=partial(self._sources.set_last_job, source.id),
        )

    def _account_target(self, account: Account) -> ScheduleTarget:
        return ScheduleTarget(
            schedule_id=account.id,
            job_type=JobType.SYNC_ANALYTICS,
            organization_id=account.organization_id,
            payload=SyncAnalyticsPayload(account_id=account.id),
            last_job_id=account.last_job_id,
            remember=partial(self._accounts.set_last_job, account.id),
        )
