"""What `/jobs/stats` and `/health` report: jobs per queue and status, queue depths."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal

from pydantic import Field

from conveyor.core.models import ApiModel
from conveyor.jobs.counters import JobCounters
from conveyor.jobs.queues import JobQueues
from conveyor.jobs.status import JobStatus


class MessageCounts(ApiModel):
    visible: int = Field(description="waiting to be received")
    in_flight: int = Field(description="received and not deleted: running, or hidden for a backoff")
    delayed: int = Field(description="sent with a delay (a job waiting for its organization's slot, delaySeconds)")


class QueueStats(ApiModel):
    jobs: dict[JobStatus, int] = Field(description="jobs of the queue in each status (exact)")
    active: int = Field(description="PENDING + RUNNING")
    messages: MessageCounts
    dead_letters: int = Field(description="messages in the queue's DLQ")


class JobStats(ApiModel):
    queues: dict[str, QueueStats]


class HealthReport(ApiModel):
    status: Literal["ok", "unhealthy"]
    checks: dict[str, str] = Field(description='each dependency: "ok", or why not')


def job_stats(counters: JobCounters, queues: JobQueues, names: Iterable[str]) -> JobStats:
    counts = counters.by_queue(names)
    report = {}
    for queue, jobs in counts.items():
        depth = queues.depth(queue)
        report[queue] = QueueStats(
            jobs=jobs,
            active=jobs[JobStatus.PENDING] + jobs[JobStatus.RUNNING],
            messages=MessageCounts(visible=depth.visible, in_flight=depth.in_flight, delayed=depth.delayed),
            dead_letters=depth.dead_letters,
        )
    return JobStats(queues=report)


def health(ping_table: Callable[[], Any], queues: JobQueues, names: Iterable[str]) -> HealthReport:
    checks = {"table": _check(ping_table)}
    for queue in names:
        checks[f"queue:{queue}"] = _check(lambda queue=queue: queues.depth(queue))
    healthy = all(result == "ok" for result in checks.values())
    return HealthReport(status="ok" if healthy else "unhealthy", checks=checks)


def _check(probe: Callable[[], Any]) -> str:
    try:
        probe()
    except Exception as error:  # any failure is the answer to report
        return f"error: {type(error).__name__}: {error}"[:300]
    return "ok"
