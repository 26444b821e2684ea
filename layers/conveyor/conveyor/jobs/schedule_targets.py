"""What each schedule fires for: healthy context sources, and accounts that need no re-authorization."""

from __future__ import annotations

from functools import partial

from conveyor.jobs.catalog import JobType
from conveyor.jobs.data.sources import Source
from conveyor.jobs.schedules import ScheduleName, ScheduleTarget
from conveyor.jobs.services import Services


def schedule_targets(services: Services, schedule: ScheduleName) -> list[ScheduleTarget]:
    if schedule == ScheduleName.CONTEXT_SCRAPING:
        return [_source_target(services, source) for source in services.sources.healthy()]
    return [
        ScheduleTarget(
            schedule_id=account.id,
            job_type=JobType.SYNC_ANALYTICS,
            organization_id=account.organization_id,
            payload={"accountId": account.id},
            last_job_id=account.last_job_id,
            remember=partial(services.accounts.set_last_job, account.id),
        )
        for account in services.accounts.schedulable()
    ]


def _source_target(services: Services, source: Source) -> ScheduleTarget:
    if source.kind == "rss":
        job_type, payload = JobType.SYNC_RSS, {"sourceId": source.id, "feedUrl": source.url}
    else:
        job_type, payload = JobType.SCRAPE_WEBSITE, {"sourceId": source.id, "url": source.url}
    return ScheduleTarget(
        schedule_id=source.id,
        job_type=job_type,
        organization_id=source.organization_id,
        payload=payload,
        last_job_id=source.last_job_id,
        remember=partial(services.sources.set_last_job, source.id),
    )
