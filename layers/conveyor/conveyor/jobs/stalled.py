"""Stalled jobs: RUNNING past their queue's lock duration without a heartbeat.

Their worker died (crash, timeout) or lost the message. Each goes back to PENDING
with a new delivery and is sent again; the stalled attempt counts as a failed one, so
a job that always kills its worker still ends FAILED in the DLQ.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

from conveyor.core.clock import Clock, system_clock
from conveyor.jobs.listing import JobFilter
from conveyor.jobs.service import JobService
from conveyor.jobs.status import JobStatus
from conveyor.jobs.store import JobChanged

logger = Logger(child=True)


class StalledJobs:
    def __init__(self, jobs: JobService, clock: Clock = system_clock) -> None:
        self._jobs = jobs
        self._clock = clock

    def recover(self) -> list[str]:
        """Release and send again every stalled job of the workload's types; the ids released."""
        released = []
        now = self._clock()
        for job in self._jobs.listing.every(JobFilter(status=JobStatus.RUNNING)):
            if not self._jobs.registry.knows(job.type):
                continue  # another workload's job, on its own queues
            if not job.lock_expired(self._jobs.queues.lock_seconds(job.queue), now):
                continue
            try:
                pending = self._jobs.store.release_stalled(job, new_delivery=True)
            except JobChanged:
                continue  # it moved on meanwhile (finished, cancelled, heartbeat)
            self._jobs.resend(pending)
            logger.warning("stalled job sent again", extra={"jobId": job.id, "attempt": job.attempts})
            released.append(job.id)
        return released
