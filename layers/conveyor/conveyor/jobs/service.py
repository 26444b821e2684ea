"""The job engine as the API and the schedules use it: create, read, list, cancel and
retry jobs; stats and health.

Putting a job on its queue is the record first, owing its message, then the message
(`outbox`): once the record is written the job is accepted and will be delivered, even
if the message cannot be sent now. A retry takes the job's messages out of its DLQ,
resets its attempts and stalls and sends a new delivery the same way.

The same job id twice queues one job. The second submission answers with the job as it
is; if its message is still owed (its first sender died), it is sent again now. A job
id of another organization is refused (`JobIdTaken`).

Many jobs at once (`submit_many`) are created together, all or none (`bulk.create`): one
read of their ids, a transaction per 96 records (with the outbox item owing their
messages), SendMessageBatch by tens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_lambda_powertools import Logger

from conveyor.core.aws import AwsClients
from conveyor.core.clock import Clock, system_clock
from conveyor.core.dynamo import TransactionCancelled
from conveyor.core.errors import Conflict, InvalidRequest, TransientError
from conveyor.jobs.bulk import BulkJobs
from conveyor.jobs.errors import JobIdTaken, NotAllowed
from conveyor.jobs.listing import JobFilter, JobListing
from conveyor.jobs.outbox import Outbox
from conveyor.jobs.queues import JobQueues
from conveyor.jobs.records import Job, NewJob
from conveyor.jobs.registry import JobRegistry
from conveyor.jobs.settings import JobSettings
from conveyor.jobs.stats import HealthReport, JobStats, health, job_stats
from conveyor.jobs.status import RETRYABLE, JobStatus
from conveyor.jobs.store import JobExists, JobStore

logger = Logger(child=True)


@dataclass(frozen=True)
class Submitted:
    job: Job
    duplicate: bool  # a job with this id existed already; nothing new was queued


class JobService:
    def __init__(
        self,
        store: JobStore,
        listing: JobListing,
        queues: JobQueues,
        registry: JobRegistry,
        outbox: Outbox,
        bulk: BulkJobs,
    ) -> None:
        self.store = store
        self.listing = listing
        self.queues = queues
        self.registry = registry
        self.outbox = outbox
        self.bulk = bulk

    @classmethod
    def build(
        cls, settings: JobSettings, aws: AwsClients, registry: JobRegistry, clock: Clock = system_clock
    ) -> JobService:
        table = aws.table(settings.jobs_table)
        queues = JobQueues(aws.client("sqs"), settings.queue_prefix)
        store, listing = JobStore(table, clock), JobListing(table)
        outbox = Outbox(store, listing, queues, registry, clock)
        bulk = BulkJobs(table, queues, aws.client("sqs"), registry, clock)
        return cls(store, listing, queues, registry, outbox, bulk)

    @property
    def queue_names(self) -> list[str]:
        return [str(queue) for queue in self.registry.queues]

    def submit(self, new: NewJob, delay_seconds: int = 0) -> Submitted:
        if not self.registry.knows(new.type):
            raise InvalidRequest(f"no job type {new.type!r}", field="type")
        try:
            job = self.store.create(new, self.registry.queue_of(new.type), delay_seconds)
        except JobExists as exists:
            return Submitted(self._again(exists.existing, new), duplicate=True)
        self.outbox.dispatch(job)
        return Submitted(job, duplicate=False)

    def submit_many(self, news: Sequence[NewJob]) -> list[Submitted]:
        """`submit` for many jobs (distinct ids), all or none, in the order given. An id that
        exists is answered as a duplicate (and sent again if its message is still owed); one of
        another organization refuses the whole batch before anything is written."""
        for index, new in enumerate(news):
            if not self.registry.knows(new.type):
                raise InvalidRequest(f"no job type {new.type!r}", field=f"jobs.{index}.type")
        if len({new.id for new in news}) != len(news):
            raise InvalidRequest("each job of a batch needs its own jobId", field="jobs")
        existing = self.store.get_all(new.id for new in news)
        for new in news:
            if new.id in existing and existing[new.id].organization_id != new.organization_id:
                raise JobIdTaken(new.id)
        again = {new.id: self._again(existing[new.id], new) for new in news if new.id in existing}
        try:
            created = {job.id: job for job in self.bulk.create([new for new in news if new.id not in existing])}
        except TransactionCancelled:
            raise Conflict("jobs of this batch were created meanwhile; send it again", field="jobs") from None
        except Exception as error:
            logger.exception("a batch of jobs could not be created")
            raise TransientError("the batch could not be created, and none of it was; send it again") from error
        return [
            Submitted(again[new.id], duplicate=True) if new.id in again else Submitted(created[new.id], duplicate=False)
            for new in news
        ]

    def _again(self, existing: Job, new: NewJob) -> Job:
        """A second submission of `existing`: its message is sent again if it is still owed."""
        if existing.organization_id != new.organization_id:
            raise JobIdTaken(existing.id)
        if existing.unsent_since_ms is not None:
            return self.outbox.redeliver(existing) or existing
        return existing

    def get(self, job_id: str) -> Job:
        """The job (JobNotFound when there is none)."""
        return self.store.existing(job_id)

    def page(self, filters: JobFilter, limit: int, next_token: str | None = None) -> tuple[list[Job], str | None]:
        return self.listing.page(filters, limit, next_token)

    def cancel(self, job: Job) -> Job:
        return self.store.cancel(job)

    def retry(self, job: Job) -> Job:
        """Run a FAILED or CANCELLED job again with fresh attempts, taking its message out of
        the DLQ if it is there. A PENDING job whose message SQS dead-lettered (its worker
        crashed on every delivery) is retried straight out of the DLQ too, and a PENDING job
        still owed its message (its sender died) is sent again."""
        if job.status in (JobStatus.COMPLETED, JobStatus.RUNNING):
            raise NotAllowed(job.id, job.status.value, "retry")
        if job.status == JobStatus.PENDING and job.unsent_since_ms is not None:
            return self.outbox.redeliver(job) or job
        dead_letters = self.queues.take_from_dlq(job.queue, job.id)
        if job.status not in RETRYABLE and not dead_letters:
            raise NotAllowed(job.id, job.status.value, "retry")
        requeued = self.store.requeue(job)
        self.outbox.dispatch(requeued)
        return requeued

    def stats(self) -> JobStats:
        return job_stats(self.store.counters, self.queues, self.queue_names)

    def health(self) -> HealthReport:
        return health(self.store.ping, self.queues, self.queue_names)
