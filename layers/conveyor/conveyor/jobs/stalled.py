"""Stalled jobs: RUNNING past their queue's lock duration without a heartbeat.

Their worker died (crash, timeout) or lost the message: the infrastructure failed, not
the job. A stall does not count as one of the job's attempts; it has its own budget,
`max_stalls` (`JobMaxStalls`). Within it, the job goes back to PENDING with a new
delivery and is sent again (`outbox`); one stall more fails it, with the stall as its
reason, and its message goes to the DLQ like every failed job's.

Two find them: the sweeper, every minute, among every RUNNING job; and a worker that
receives the message of a RUNNING job again after its lock expired.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_lambda_powertools import Logger

from conveyor.core.clock import Clock, system_clock
from conveyor.jobs.listing import JobFilter
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.records import Failure, Job
from conveyor.jobs.service import JobService
from conveyor.jobs.status import JobStatus
from conveyor.jobs.store import JobChanged

logger = Logger(child=True)


@dataclass
class StallReport:
    released: list[str] = field(default_factory=list)  # sent again
    failed: list[str] = field(default_factory=list)  # out of stalls: FAILED and dead-lettered


class StalledJobs:
    def __init__(self, jobs: JobService, max_stalls: int, clock: Clock = system_clock) -> None:
        self._jobs = jobs
        self._max_stalls = max_stalls
        self._clock = clock

    def stalled(self, job: Job) -> bool:
        return job.lock_expired(self._jobs.queues.lock_seconds(job.queue), self._clock())

    def recover(self) -> StallReport:
        """Settle every stalled job of the workload's types."""
        report = StallReport()
        for job in self._jobs.listing.every(JobFilter(status=JobStatus.RUNNING)):
            if not self._jobs.registry.knows(job.type) or not self.stalled(job):
                continue  # another workload's job (on its own queues), or alive
            settled = self.settle(job)
            if settled is not None:
                (report.failed if settled.status == JobStatus.FAILED else report.released).append(job.id)
        return report

    def settle(self, job: Job) -> Job | None:
        """Release a stalled job (it is sent again), or fail it when it has no stalls left; None
        when it moved on meanwhile (finished, cancelled, a heartbeat)."""
        try:
            if job.stalls >= self._max_stalls:
                return self._fail(job)
            released = self._jobs.store.release_stalled(job, _stall(job))
        except JobChanged:
            return None
        self._jobs.outbox.dispatch(released)
        logger.warning("stalled job sent again", extra={"jobId": job.id, "stalls": released.stalls})
        return released

    def _fail(self, job: Job) -> Job:
        error = _stall(job, f"stall {job.stalls + 1} of a job allowed {self._max_stalls}")
        failed = self._jobs.store.fail_stalled(job, error)
        self._jobs.queues.dead_letter_job(job.queue, JobMessage.of(failed), f"{error.type}: {error.message}")
        logger.warning("job failed: too many stalls", extra={"jobId": job.id, "stalls": failed.stalls})
        return failed


def _stall(job: Job, reason: str = "") -> Failure:
    message = f"attempt {job.attempts} stopped making progress (its worker died or timed out)"
    return Failure(type="Stalled", message=f"{message}; {reason}" if reason else message)
