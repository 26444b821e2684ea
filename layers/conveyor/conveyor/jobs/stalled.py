"""Stalled jobs: the infrastructure failed them, not their own work. Two kinds:

    an attempt that stopped     RUNNING past its queue's lock duration without a heartbeat:
                                its worker died (crash, timeout) or lost the message
    a delivery that was lost    PENDING, and its queue holds no message at all: SQS moved
                                the message to the DLQ after maxReceiveCount receives whose
                                worker died before it could start the job (a crash at init,
                                every time)

A stall does not count as one of the job's attempts; it has its own budget, `max_stalls`
(`JobMaxStalls`). Within it, the job goes back to PENDING with a new delivery and is sent
again (`outbox`); a message of the old delivery that turns up later is skipped. One stall
more fails it, with the stall as its reason, and its message goes to the DLQ like every
failed job's.

Who finds them: the sweeper, every minute, among every RUNNING job, and among the PENDING
jobs of a queue that holds no message (read before and after the jobs, so a message sent
meanwhile keeps its job out); and a worker that receives the message of a RUNNING job
again after its lock expired. A queue's counts are approximate on AWS: a job taken for
lost that was not costs one stall and a skipped delivery, never a second run.
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

    def add(self, job: Job, settled: Job | None) -> None:
        if settled is not None:
            (self.failed if settled.status == JobStatus.FAILED else self.released).append(job.id)


class StalledJobs:
    def __init__(self, jobs: JobService, *, max_stalls: int, clock: Clock = system_clock) -> None:
        self._jobs = jobs
        self._max_stalls = max_stalls
        self._clock = clock

    def stalled(self, job: Job) -> bool:
        return job.lock_expired(self._jobs.queues.lock_seconds(job.queue), self._clock())

    def recover(self) -> StallReport:
        """Settle every stalled job of the workload's types: attempts that stopped, deliveries lost."""
        report = StallReport()
        for job in self._jobs.listing.every(JobFilter(status=JobStatus.RUNNING)):
            if not self._jobs.registry.knows(job.type) or not self.stalled(job):
                continue  # another workload's job (on its own queues), or alive
            report.add(job, self.settle(job))
        for queue in self._jobs.queue_names:
            for job in self._lost_deliveries(queue):
                report.add(job, self._settle_lost(job))
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

    def _lost_deliveries(self, queue: str) -> list[Job]:
        """The PENDING jobs of `queue` whose message is nowhere in it: none when it holds any
        message, before or after they are read. Jobs still owed their message are the outbox's:
        marked each, or in an OwedBatch (read last: a batch sent meanwhile has filled the queue)."""
        if self._jobs.queues.depth(queue).holds_messages:
            return []
        pending = [
            job
            for job in self._jobs.listing.every(JobFilter(status=JobStatus.PENDING, queue=queue))
            if self._jobs.registry.knows(job.type) and job.unsent_since_ms is None
        ]
        if not pending or self._jobs.queues.depth(queue).holds_messages:
            return []
        owed = {job_id for batch in self._jobs.listing.owed_batches() for job_id in batch.job_ids}
        return [job for job in pending if job.id not in owed]

    def _settle_lost(self, job: Job) -> Job | None:
        """Send a job whose delivery was lost again, or fail it when it has no stalls left; None
        when it moved on meanwhile."""
        error = Failure(
            type="Stalled",
            message=f"delivery {job.delivery} was lost: its queue holds no message of it "
            "(dead-lettered by SQS after its worker died on every receive)",
        )
        try:
            if job.stalls >= self._max_stalls:
                return self._fail_lost(job, error)
            released = self._jobs.store.release_lost(job, error)
        except JobChanged:
            return None
        self._jobs.outbox.dispatch(released)
        logger.warning("lost delivery sent again", extra={"jobId": job.id, "stalls": released.stalls})
        return released

    def _fail_lost(self, job: Job, error: Failure) -> Job:
        failed = self._jobs.store.fail_lost(job, error)
        self._jobs.queues.dead_letter_job(job.queue, JobMessage.of(failed), f"{error.type}: {error.message}")
        logger.warning("job failed: too many stalls", extra={"jobId": job.id, "stalls": failed.stalls})
        return failed

    def _fail(self, job: Job) -> Job:
        error = _stall(job, f"stall {job.stalls + 1} of a job allowed {self._max_stalls}")
        failed = self._jobs.store.fail_stalled(job, error)
        self._jobs.queues.dead_letter_job(job.queue, JobMessage.of(failed), f"{error.type}: {error.message}")
        logger.warning("job failed: too many stalls", extra={"jobId": job.id, "stalls": failed.stalls})
        return failed


def _stall(job: Job, reason: str = "") -> Failure:
    message = f"attempt {job.attempts} stopped making progress (its worker died or timed out)"
    return Failure(type="Stalled", message=f"{message}; {reason}" if reason else message)
