"""Putting a job on its queue: the record first, then the message; never one without the other."""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.jobs.catalog import RETRYABLE, JobStatus
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.queues import JobQueues
from conveyor.jobs.records import Job
from conveyor.jobs.store import JobStore, NewJob, NotAllowed


@dataclass(frozen=True)
class Submitted:
    job: Job
    duplicate: bool  # a job with this id existed already; nothing new was queued


def submit(store: JobStore, queues: JobQueues, new: NewJob, delay_seconds: int = 0) -> Submitted:
    if not store.create(new):
        existing = store.get(new.id)
        assert existing is not None
        return Submitted(existing, duplicate=True)
    job = store.get(new.id)
    assert job is not None
    try:
        queues.send(job.queue, JobMessage.of(job), delay_seconds)
    except Exception:
        store.withdraw(job)
        raise
    return Submitted(job, duplicate=False)


def retry(store: JobStore, queues: JobQueues, job: Job) -> Job:
    """Run a FAILED or CANCELLED job again with fresh attempts, taking its message out of
    the DLQ if it is there. A PENDING job whose message SQS dead-lettered (its worker
    crashed on every delivery) is retried straight out of the DLQ too."""
    if job.status in (JobStatus.COMPLETED, JobStatus.RUNNING):
        raise NotAllowed(job, "retry")
    dead_letters = queues.take_from_dlq(job.queue, job.id)
    if job.status not in RETRYABLE and not dead_letters:
        raise NotAllowed(job, "retry")
    requeued = store.requeue(job)
    resend(store, queues, requeued)
    return requeued


def resend(store: JobStore, queues: JobQueues, job: Job) -> None:
    """Send a PENDING job's new delivery; if that fails the job is FAILED with the reason, not left waiting."""
    try:
        queues.send(job.queue, JobMessage.of(job))
    except Exception as error:
        store.fail(job, {"type": "NotQueued", "message": f"could not send the job's message: {error}"}, "not-queued")
        raise
