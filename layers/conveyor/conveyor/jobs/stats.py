"""What `/jobs/stats` and `/health` report: jobs per queue and status, queue depths."""

from __future__ import annotations

from typing import Any

from conveyor.jobs.catalog import JobStatus, QueueName
from conveyor.jobs.queues import JobQueues
from conveyor.jobs.store import JobStore


def queue_stats(store: JobStore, queues: JobQueues) -> dict[str, Any]:
    counts = store.counts()
    report: dict[str, Any] = {}
    for queue in QueueName:
        depth = queues.depth(queue)
        report[queue.value] = {
            "jobs": {status.value: counts[queue][status] for status in JobStatus},
            "active": counts[queue][JobStatus.PENDING] + counts[queue][JobStatus.RUNNING],
            "messages": {"visible": depth.visible, "inFlight": depth.in_flight, "delayed": depth.delayed},
            "deadLetters": depth.dead_letters,
        }
    return report


def health(store: JobStore, queues: JobQueues) -> dict[str, str]:
    """Each dependency: "ok" or why not."""
    checks: dict[str, str] = {}
    checks["table"] = _check(store.ping)
    for queue in QueueName:
        checks[f"queue:{queue.value}"] = _check(lambda queue=queue: queues.depth(queue))
    return checks


def _check(probe: Any) -> str:
    try:
        probe()
    except Exception as error:  # any failure is the answer to report
        return f"error: {type(error).__name__}: {error}"[:300]
    return "ok"
