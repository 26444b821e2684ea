"""Schedule firings: each creates one job per target, with an id made of the job type,
the schedule entry and the firing's time, so a repeated firing queues nothing twice.
A target whose previous scheduled job is still PENDING or RUNNING is skipped.

What a schedule fires for (its targets) is the workload's: a `ScheduleTarget` per
thing to run a job for, with a way to remember the job it got.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from aws_lambda_powertools import Logger
from pydantic import Field

from conveyor.core.models import ApiModel
from conveyor.jobs.records import NewJob
from conveyor.jobs.registry import JobPayload
from conveyor.jobs.service import JobService

logger = Logger(child=True)


@dataclass(frozen=True)
class ScheduleTarget:
    """One thing a schedule runs a job for (a context source, an account)."""

    schedule_id: str
    job_type: str
    organization_id: str
    payload: JobPayload
    last_job_id: str | None
    remember: Callable[[str], None]  # records the job this firing created


class FiringReport(ApiModel):
    created: list[str] = []
    duplicates: list[str] = Field([], description="this firing ran before")
    skipped_active: list[str] = Field([], description="the previous job is still PENDING or RUNNING")


def scheduled_job_id(job_type: str, schedule_id: str, scheduled_time: datetime) -> str:
    """`${jobType}-${scheduleId}-${timestamp}`, the timestamp in compact UTC (20261123T120000Z)."""
    return f"{job_type}-{schedule_id}-{scheduled_time.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"


def fire(jobs: JobService, targets: Iterable[ScheduleTarget], scheduled_time: datetime) -> FiringReport:
    report = FiringReport()
    for target in targets:
        job_id = scheduled_job_id(target.job_type, target.schedule_id, scheduled_time)
        if jobs.store.get(job_id) is not None:
            report.duplicates.append(job_id)
            continue
        previous = jobs.store.get(target.last_job_id) if target.last_job_id else None
        if previous is not None and not previous.status.final:
            logger.info(
                "schedule skipped: the previous job is still active",
                extra={"scheduleId": target.schedule_id, "previousJobId": previous.id, "status": previous.status},
            )
            report.skipped_active.append(job_id)
            continue
        new = NewJob(job_id, target.job_type, target.organization_id, target.payload, target.schedule_id)
        if jobs.submit(new).duplicate:  # a concurrent firing won the race
            report.duplicates.append(job_id)
            continue
        target.remember(job_id)
        report.created.append(job_id)
    return report
