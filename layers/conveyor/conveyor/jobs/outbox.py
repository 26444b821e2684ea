"""Every message a job is owed reaches its queue: the job record is the outbox.

A change that owes a message (a job created, retried, released after a stall,
postponed) marks it in the job's record in the same write, `unsentSinceMs`; then the
message is sent and the mark removed. A sender that dies between the two (a Lambda
killed, timed out or throttled, SQS failing) leaves the mark, and whoever finds it
sends the job again under a new delivery, so a message that did go out after all is
dropped when it arrives (`messages`): a job is delivered, and run once per delivery.

    who finds a mark             when
    the sweeper                  the mark is older than OVERDUE_SECONDS (it runs every minute)
    a duplicate POST /jobs       at once: a client retrying a stuck job unsticks it

Jobs created together (`bulk.create`) carry no mark each: one `OwedBatch` item is the
outbox of their transaction's jobs, deleted once their messages are sent. The sweeper
sends the jobs of an item older than OVERDUE_SECONDS that have not started again (new
deliveries, marked as above), then deletes it.

A job owed a message is PENDING: every way out of PENDING removes the mark with the
status (`transitions`).
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_lambda_powertools import Logger

from conveyor.core.clock import Clock, iso, now_ms, system_clock
from conveyor.jobs.listing import JobListing
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.queues import JobQueues
from conveyor.jobs.records import Job
from conveyor.jobs.registry import JobRegistry
from conveyor.jobs.status import JobStatus
from conveyor.jobs.store import JobChanged, JobStore

logger = Logger(child=True)

# Longer than any sender takes between its write and its send (milliseconds, unless it
# died): the sweeper leaves younger marks to their sender. Sending too early costs only
# a dropped copy.
OVERDUE_SECONDS = 60


class Outbox:
    def __init__(
        self,
        store: JobStore,
        listing: JobListing,
        queues: JobQueues,
        registry: JobRegistry,
        clock: Clock = system_clock,
    ) -> None:
        self._store = store
        self._listing = listing
        self._queues = queues
        self._registry = registry
        self._clock = clock

    def dispatch(self, job: Job) -> Job:
        """Send the message `job` is owed (after what is left of its wait) and remove the mark;
        the job as it is then. When the send fails the mark stays: it is sent again later."""
        delay = max(0, ((job.next_attempt_ms or 0) - now_ms(self._clock)) // 1000)
        try:
            self._queues.send(job.queue, JobMessage.of(job), delay)
        except Exception:  # any failure: the mark says the message is still owed
            logger.exception("job message not sent; it will be sent again", extra={"jobId": job.id})
            return job
        self._store.sent(job)
        return job.model_copy(update={"unsent_since_ms": None})

    def redeliver(self, job: Job) -> Job | None:
        """Send an owed job again, under a new delivery; the job as it is then, or None when it
        moved on meanwhile (started, sent by someone else, cancelled)."""
        try:
            renewed = self._store.redeliver(job)
        except JobChanged:
            return None
        logger.warning(
            "owed job message sent again, as a new delivery", extra={"jobId": job.id, "delivery": renewed.delivery}
        )
        return self.dispatch(renewed)

    def send_overdue(self) -> list[str]:
        """Send again every job of the workload's types owed a message for over OVERDUE_SECONDS;
        the ids of those sent."""
        before = now_ms(self._clock) - OVERDUE_SECONDS * 1000
        sent = []
        for batch in self._listing.owed_batches(iso(before / 1000)):
            jobs = self._store.get_all(batch.job_ids)
            if any(not self._registry.knows(job.type) for job in jobs.values()):
                continue  # another workload's batch
            owed = [job for job in jobs.values() if job.status == JobStatus.PENDING and job.unsent_since_ms is None]
            sent += self._send_again(owed)
            self._store.forget_owed(batch)  # its jobs are marked now, or on their way
        return sent + self._send_again(job for job in self._listing.owed(before) if self._registry.knows(job.type))

    def _send_again(self, jobs: Iterable[Job]) -> list[str]:
        sent = []
        for job in jobs:
            renewed = self.redeliver(job)
            if renewed is not None and renewed.unsent_since_ms is None:
                sent.append(job.id)
        return sent
