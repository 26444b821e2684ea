"""Schedule firings: each creates one job per target, with an id made of the job type,
the schedule entry and the firing's time, so a repeated firing queues nothing twice.
A target whose previous scheduled job is still PENDING or RUNNING is skipped."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from aws_lambda_powertools import Logger

from conveyor.jobs.catalog import JobType
from conveyor.jobs.queues import JobQueues
from conveyor.jobs.store import JobStore, NewJob
from conveyor.jobs.submission import submit

logger = Logger(child=True)


class ScheduleName(StrEnum):
    CONTEXT_SCRAPING = "context-scraping"  # every 6 hours: healthy context sources
    ANALYTICS = "analytics"  # every hour: connected accounts that need no re-authorization


@dataclass(frozen=True)
class ScheduleTarget:
    """One thing a schedule runs a job for (a context source, an account)."""

    schedule_id: str
    job_type: JobType
    organization_id: str
    payload: dict[str, Any]
    last_job_id: str | None
    remember: Callable[[str], None]  # records the job this firing created


@dataclass
class FiringReport:
    created: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # this firing ran before
    skipped_active: list[str] = field(default_factory=list)  # the previous job is still active

    def summary(self) -> dict[str, Any]:
        return {"created": self.created, "duplicates": self.duplicates, "skippedActive": self.skipped_active}


def scheduled_job_id(job_type: JobType, schedule_id: str, scheduled_time: datetime) -> str:
    """`${jobType}-${scheduleId}-${timestamp}`, the timestamp in compact UTC (20261123T120000Z)."""
    return f"{job_type.value}-{schedule_id}-{scheduled_time.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"


def parse_scheduled_time(value: str) -> datetime:
    """EventBridge Scheduler's `<aws.scheduler.scheduled-time>`, e.g. 2026-11-23T12:00:00Z."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"scheduled time {value!r} has no time zone")
    return parsed


def fire(
    store: JobStore, queues: JobQueues, targets: Iterable[ScheduleTarget], scheduled_time: datetime
) -> FiringReport:
    report = FiringReport()
    for target in targets:
        job_id = scheduled_job_id(target.job_type, target.schedule_id, scheduled_time)
        if store.get(job_id) is not None:
            report.duplicates.append(job_id)
            continue
        previous = store.get(target.last_job_id) if target.last_job_id else None
        if previous is not None and previous.active:
            logger.info(
                "schedule skipped: the previous job is still active",
                extra={"scheduleId": target.schedule_id, "previousJobId": previous.id, "status": previous.status},
            )
            report.skipped_active.append(job_id)
            continue
        new = NewJob(job_id, target.job_type, target.organization_id, target.payload, target.schedule_id)
        if submit(store, queues, new).duplicate:  # a concurrent firing won the race
            report.duplicates.append(job_id)
            continue
        target.remember(job_id)
        report.created.append(job_id)
    return report
