"""One delivery of a job message, from receipt to outcome: the queue consumer's business rule.

    message -> is it the job's current delivery, still PENDING?  (else: skip it; a RUNNING
                                               job whose lock expired stalled: `stalled`)
            -> payload valid?                  (else: FAILED at once, to the DLQ with the reason)
            -> a free slot of its organization? (else: wait, the message is sent again later)
            -> RUNNING: the processor runs
            -> COMPLETED | retry after the backoff | FAILED and dead-lettered after the last attempt
               | postponed, not counted, when what it needs is busy (`Busy`)

The job record holds the attempt count. Re-deliveries that are not attempts
(waiting for the organization's slot) send a new message instead of letting
SQS count one more receive, so SQS's own maxReceiveCount only catches
messages the worker cannot handle at all.

A processor fails its attempt in the core vocabulary: `PermanentError` fails the job
at once; `TransientError` (waiting its `retry_after` when it has one) and any other
exception are tried again after the backoff. A job killed with its worker is a stall,
not a failed attempt (`stalled`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from conveyor.core.clock import Clock, system_clock
from conveyor.core.dead_letter import redriven
from conveyor.core.errors import PermanentError, TransientError
from conveyor.core.validation import describe
from conveyor.jobs.backoff import RetryPolicy
from conveyor.jobs.context import JobContext
from conveyor.jobs.errors import Busy, InvalidPayload, JobCancelled
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.records import Failure, Job
from conveyor.jobs.registry import JobPayload
from conveyor.jobs.service import JobService
from conveyor.jobs.stalled import StalledJobs
from conveyor.jobs.status import JobStatus
from conveyor.jobs.store import JobChanged, OrganizationAtLimit

logger = Logger(child=True)

Processor = Callable[[Any, JobContext], dict[str, Any]]


class Outcome(StrEnum):
    COMPLETED = "COMPLETED"
    RETRY_SCHEDULED = "RETRY_SCHEDULED"
    FAILED = "FAILED"
    DEFERRED = "DEFERRED"  # waiting for a free slot of the organization
    SKIPPED = "SKIPPED"  # not this delivery's to run (cancelled, finished, superseded)
    DISCARDED = "DISCARDED"  # the job was cancelled while it ran; its result is dropped
    REJECTED = "REJECTED"  # not a job message at all
    REQUEUED = "REQUEUED"  # a dead letter redriven to the queue: retried as a new delivery
    RELEASED = "RELEASED"  # the job had stalled: sent again as a new delivery
    POSTPONED = "POSTPONED"  # what the attempt needs is busy: runs later as a new delivery, not counted


class RetryScheduled(Exception):
    """Raised so the batch reports the message as failed: SQS keeps it hidden for the backoff."""


@dataclass
class JobWorker:
    jobs: JobService
    processors: Mapping[str, Processor]  # by job type: every type of the registry has one
    policy: RetryPolicy
    org_running_limit: int
    org_wait_seconds: int  # how long a job waits for a free slot of its organization
    clock: Clock = system_clock

    def __post_init__(self) -> None:
        missing = {str(job_type) for job_type in self.jobs.registry.types} - set(self.processors)
        if missing:
            raise ValueError(f"no processor for job types {sorted(missing)}")
        self.stalls = StalledJobs(self.jobs, self.policy.max_stalls, self.clock)

    def handle(self, record: SQSRecord) -> Outcome:
        try:
            message = JobMessage.model_validate_json(record.body)
        except ValidationError as error:
            return self._reject(record, f"not a job message: {describe(error)}")
        job = self.jobs.store.get(message.job_id)
        if job is None:
            return self._reject(record, f"no job {message.job_id!r}")
        if message.delivery != job.delivery:
            return self._skip(job, f"delivery {message.delivery} was superseded by {job.delivery}")

        if job.status == JobStatus.RUNNING:
            return self._running_again(job)
        if job.status == JobStatus.FAILED and redriven(record):
            # `aws sqs start-message-move-task` brought it back from the DLQ: a retry,
            # carried by a new message of the new delivery.
            self.jobs.outbox.dispatch(self.jobs.store.requeue(job))
            return Outcome.REQUEUED
        if job.status != JobStatus.PENDING:
            return self._skip(job, f"job is {job.status.value}")
        if not self.policy.has_attempts_left(job.attempts):
            return self._fail(record, job, job.error or Failure(type="Exhausted", message="no attempts left"))
        try:
            payload = self.jobs.registry.parse_payload(job.type, job.payload)
        except InvalidPayload as error:
            return self._fail(record, job, Failure.of(error))
        return self._run(record, job, payload)

    def _run(self, record: SQSRecord, job: Job, payload: JobPayload) -> Outcome:
        try:
            running = self.jobs.store.start(job, self.org_running_limit)
        except OrganizationAtLimit:
            delay = self.org_wait_seconds + random.randint(0, self.org_wait_seconds)  # spread the re-checks
            self.jobs.queues.send(job.queue, JobMessage.of(job), delay)
            logger.info("organization at its limit; job waits", extra={"jobId": job.id, "retryIn": delay})
            return Outcome.DEFERRED
        except JobChanged:
            return Outcome.SKIPPED
        lock_seconds = self.jobs.queues.lock_seconds(job.queue)

        def keep_alive() -> bool:
            if not self.jobs.store.heartbeat(running):
                return False
            self.jobs.queues.delay_redelivery(job.queue, record.receipt_handle, lock_seconds)
            return True

        try:
            result = self.processors[job.type](payload, JobContext(running, keep_alive))
        except JobCancelled:
            return self._discard(running)
        except Busy as busy:
            return self._postpone(running, busy)
        except PermanentError as error:
            return self._fail(record, running, Failure.of(error))
        except Exception as error:
            return self._attempt_failed(record, running, error)
        try:
            self.jobs.store.complete(running, result)
        except JobChanged:
            return self._discard(running)
        return Outcome.COMPLETED

    def _attempt_failed(self, record: SQSRecord, job: Job, error: Exception) -> Outcome:
        failure = Failure.of(error)
        if not self.policy.has_attempts_left(job.attempts):
            return self._fail(record, job, failure)
        retry_after = error.retry_after if isinstance(error, TransientError) else None
        delay = self.policy.delay_after(job.attempts, retry_after)
        try:
            self.jobs.store.retry_later(job, failure, delay)
        except JobChanged:
            return Outcome.DISCARDED  # cancelled meanwhile
        self.jobs.queues.delay_redelivery(job.queue, record.receipt_handle, delay)
        logger.warning(
            "attempt failed; retry scheduled",
            extra={"jobId": job.id, "attempt": job.attempts, "retryIn": delay, "error": failure.model_dump()},
        )
        raise RetryScheduled(f"job {job.id} attempt {job.attempts} failed; next in {delay} s")

    def _running_again(self, job: Job) -> Outcome:
        """A RUNNING job delivered again: its worker died if the lock expired (a stall: the job is
        sent again, or fails when out of stalls); otherwise this is a duplicate delivery."""
        if not self.stalls.stalled(job):
            return self._skip(job, "duplicate delivery of a running attempt")
        settled = self.stalls.settle(job)
        if settled is None:
            return Outcome.SKIPPED  # it moved on meanwhile
        return Outcome.FAILED if settled.status == JobStatus.FAILED else Outcome.RELEASED

    def _postpone(self, job: Job, busy: Busy) -> Outcome:
        try:
            postponed = self.jobs.store.postpone(job, Failure.of(busy), busy.retry_after)
        except JobChanged:
            return self._discard(job)
        self.jobs.outbox.dispatch(postponed)
        logger.info("attempt postponed", extra={"jobId": job.id, "reason": str(busy), "retryIn": busy.retry_after})
        return Outcome.POSTPONED

    def _fail(self, record: SQSRecord, job: Job, error: Failure) -> Outcome:
        try:
            self.jobs.store.fail(job, error)
        except JobChanged:
            return Outcome.DISCARDED
        self.jobs.queues.dead_letter(job.queue, record, f"{error.type}: {error.message}")
        logger.warning("job failed", extra={"jobId": job.id, "attempts": job.attempts, "error": error.model_dump()})
        return Outcome.FAILED

    def _discard(self, job: Job) -> Outcome:
        """The job was cancelled (or taken over) while this attempt ran: its result is dropped."""
        self.jobs.store.record_skip(job, f"attempt {job.attempts} finished after the job changed: result discarded")
        logger.info("late result discarded", extra={"jobId": job.id})
        return Outcome.DISCARDED

    def _skip(self, job: Job, reason: str) -> Outcome:
        self.jobs.store.record_skip(job, reason)
        logger.info("delivery skipped", extra={"jobId": job.id, "reason": reason})
        return Outcome.SKIPPED

    def _reject(self, record: SQSRecord, reason: str) -> Outcome:
        self.jobs.queues.dead_letter(self.jobs.queues.queue_of(record.event_source_arn), record, reason)
        logger.warning("message rejected", extra={"messageId": record.message_id, "reason": reason})
        return Outcome.REJECTED
