"""The job engine as the API and the schedules use it: create, read, list, cancel and
retry jobs; stats and health.

Putting a job on its queue is the record first, then the message, never one without
the other: a message that cannot be sent withdraws the record it was sent for. A
retry takes the job's messages out of its DLQ, resets its attempts and sends a new
delivery; a message that cannot be sent fails the job with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.core.aws import AwsClients
from conveyor.core.clock import Clock, system_clock
from conveyor.core.errors import InvalidRequest
from conveyor.jobs.errors import NotAllowed
from conveyor.jobs.listing import JobFilter, JobListing
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.queues import JobQueues
from conveyor.jobs.records import Failure, Job, NewJob
from conveyor.jobs.registry import JobRegistry
from conveyor.jobs.settings import JobSettings
from conveyor.jobs.stats import HealthReport, JobStats, health, job_stats
from conveyor.jobs.status import RETRYABLE, JobStatus
from conveyor.jobs.store import JobExists, JobStore


@dataclass(frozen=True)
class Submitted:
    job: Job
    duplicate: bool  # a job with this id existed already; nothing new was queued


class JobService:
    def __init__(self, store: JobStore, listing: JobListing, queues: JobQueues, registry: JobRegistry) -> None:
        self.store = store
        self.listing = listing
        self.queues = queues
        self.registry = registry

    @classmethod
    def build(
        cls, settings: JobSettings, aws: AwsClients, registry: JobRegistry, clock: Clock = system_clock
    ) -> JobService:
        table = aws.table(settings.jobs_table)
        queues = JobQueues(aws.client("sqs"), settings.queue_prefix)
        return cls(JobStore(table, clock), JobListing(table), queues, registry)

    @property
    def queue_names(self) -> list[str]:
        return [str(queue) for queue in self.registry.queues]

    def submit(self, new: NewJob, delay_seconds: int = 0) -> Submitted:
        if not self.registry.knows(new.type):
            raise InvalidRequest(f"no job type {new.type!r}", field="type")
        try:
            job = self.store.create(new, self.registry.queue_of(new.type))
        except JobExists as exists:
            return Submitted(exists.existing, duplicate=True)
        try:
            self.queues.send(job.queue, JobMessage.of(job), delay_seconds)
        except Exception:
            self.store.withdraw(job)
            raise
        return Submitted(job, duplicate=False)

    def get(self, job_id: str) -> Job:
        """The job (JobNotFound when there is none)."""
        return self.store.existing(job_id)

    def page(self, filters: JobFilter, limit: int, next_token: str | None = None) -> tuple[list[Job], str | None]:
        return self.listing.page(filters, limit, next_token)

    def cancel(self, job_id: str) -> Job:
        return self.store.cancel(job_id)

    def retry(self, job_id: str) -> Job:
        """Run a FAILED or CANCELLED job again with fresh attempts, taking its message out of
        the DLQ if it is there. A PENDING job whose message SQS dead-lettered (its worker
        crashed on every delivery) is retried straight out of the DLQ too."""
        job = self.store.existing(job_id)
        if job.status in (JobStatus.COMPLETED, JobStatus.RUNNING):
            raise NotAllowed(job.id, job.status.value, "retry")
        dead_letters = self.queues.take_from_dlq(job.queue, job.id)
        if job.status not in RETRYABLE and not dead_letters:
            raise NotAllowed(job.id, job.status.value, "retry")
        requeued = self.store.requeue(job)
        self.resend(requeued)
        return requeued

    def resend(self, job: Job) -> None:
        """Send a PENDING job's current delivery; if that fails the job is FAILED with the
        reason, not left waiting."""
        try:
            self.queues.send(job.queue, JobMessage.of(job))
        except Exception as error:
            reason = Failure(type="NotQueued", message=f"could not send the job's message: {error}")
            self.store.fail(job, reason, "not-queued")
            raise

    def stats(self) -> JobStats:
        return job_stats(self.store.counters, self.queues, self.queue_names)

    def health(self) -> HealthReport:
        return health(self.store.ping, self.queues, self.queue_names)
