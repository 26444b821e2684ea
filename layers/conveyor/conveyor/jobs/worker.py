"""One delivery of a job message, from receipt to outcome: the queue consumer's business rule.

    message -> is it the job's current delivery, still PENDING?  (else: skip it)
            -> payload valid?                  (else: FAILED at once, to the DLQ with the reason)
            -> a free slot of its organization? (else: wait, the message is sent again later)
            -> RUNNING: the processor runs
            -> COMPLETED | retry after the backoff | FAILED and dead-lettered after the last attempt

The job record holds the attempt count. Re-deliveries that are not attempts
(waiting for the organization's slot) send a new message instead of letting
SQS count one more receive, so SQS's own maxReceiveCount only catches
messages the worker cannot handle at all.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from conveyor import validation
from conveyor.dead_letter import REASON_ATTRIBUTE, dead_letter
from conveyor.jobs.backoff import RetryPolicy
from conveyor.jobs.catalog import JobStatus, JobType, QueueName
from conveyor.jobs.context import JobContext
from conveyor.jobs.errors import InvalidPayload, JobCancelled, PermanentJobError, TransientJobError, error_details
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.payloads import parse_payload
from conveyor.jobs.queues import JobQueues
from conveyor.jobs.records import Job
from conveyor.jobs.store import JobStore, StartResult
from conveyor.jobs.submission import resend

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


class RetryScheduled(Exception):
    """Raised so the batch reports the message as failed: SQS keeps it hidden for the backoff."""


@dataclass
class JobWorker:
    queue: QueueName  # the queue this worker consumes
    store: JobStore
    queues: JobQueues
    policy: RetryPolicy
    processors: dict[JobType, Processor]
    org_wait_seconds: int

    def handle(self, record: SQSRecord) -> Outcome:
        try:
            message = JobMessage.model_validate_json(record.body)
        except ValidationError as error:
            return self._reject(record, f"not a job message: {validation.describe(error)}")
        job = self.store.get(message.job_id)
        if job is None:
            return self._reject(record, f"no job {message.job_id!r}")
        if message.delivery != job.delivery:
            return self._skip(job, f"delivery {message.delivery} was superseded by {job.delivery}")

        if job.status == JobStatus.RUNNING:
            job = self._recover_if_stalled(job)
            if job is None:
                return Outcome.SKIPPED
        if job.status == JobStatus.FAILED and _redriven(record):
            # `aws sqs start-message-move-task` brought it back from the DLQ: a retry,
            # carried by a new message of the new delivery.
            resend(self.store, self.queues, self.store.requeue(job))
            return Outcome.REQUEUED
        if job.status != JobStatus.PENDING:
            return self._skip(job, f"job is {job.status.value}")
        if not self.policy.has_attempts_left(job.attempts):
            return self._fail(record, job, job.error or {"type": "Exhausted", "message": "no attempts left"})
        try:
            payload = parse_payload(job.type, job.payload)
        except InvalidPayload as error:
            return self._fail(record, job, error_details(error))
        return self._run(record, job, payload)

    def _run(self, record: SQSRecord, job: Job, payload: Any) -> Outcome:
        started = self.store.start(job)
        if started == StartResult.ORG_BUSY:
            delay = self.org_wait_seconds + random.randint(0, self.org_wait_seconds)  # spread the re-checks
            self.queues.send(job.queue, JobMessage.of(job), delay)
            logger.info("organization at its limit; job waits", extra={"jobId": job.id, "retryIn": delay})
            return Outcome.DEFERRED
        if started == StartResult.GONE:
            return Outcome.SKIPPED
        running = self.store.get(job.id)
        assert running is not None
        lock_seconds = self.queues.lock_seconds(job.queue)

        def keep_alive() -> bool:
            if not self.store.heartbeat(running):
                return False
            self.queues.delay_redelivery(job.queue, record.receipt_handle, lock_seconds)
            return True

        try:
            result = self.processors[job.type](payload, JobContext(running, keep_alive))
        except JobCancelled:
            return self._discard(running)
        except PermanentJobError as error:
            return self._fail(record, running, error_details(error))
        except Exception as error:
            return self._attempt_failed(record, running, error)
        if not self.store.complete(running, result):
            return self._discard(running)
        return Outcome.COMPLETED

    def _attempt_failed(self, record: SQSRecord, job: Job, error: Exception) -> Outcome:
        details = error_details(error)
        if not self.policy.has_attempts_left(job.attempts):
            return self._fail(record, job, details)
        retry_after = error.retry_after if isinstance(error, TransientJobError) else None
        delay = self.policy.delay_after(job.attempts, retry_after)
        if not self.store.retry_later(job, details, delay):
            return Outcome.DISCARDED  # cancelled meanwhile
        self.queues.delay_redelivery(job.queue, record.receipt_handle, delay)
        logger.warning(
            "attempt failed; retry scheduled",
            extra={"jobId": job.id, "attempt": job.attempts, "retryIn": delay, "error": details},
        )
        raise RetryScheduled(f"job {job.id} attempt {job.attempts} failed; next in {delay} s")

    def _recover_if_stalled(self, job: Job) -> Job | None:
        """A RUNNING job delivered again: its worker died if the lock expired (then the attempt
        counts as failed and the job runs again); otherwise this is a duplicate delivery."""
        if not job.lock_expired(self.queues.lock_seconds(job.queue), time.time()):
            self._skip(job, "duplicate delivery of a running attempt")
            return None
        if not self.store.release_stalled(job, new_delivery=False):
            return None
        logger.warning("stalled attempt released", extra={"jobId": job.id, "attempt": job.attempts})
        return self.store.get(job.id)

    def _fail(self, record: SQSRecord, job: Job, error: dict[str, str]) -> Outcome:
        if self.store.fail(job, error):
            dead_letter(self.queues.dlq_url(job.queue), record, f"{error['type']}: {error['message']}")
            logger.warning("job failed", extra={"jobId": job.id, "attempts": job.attempts, "error": error})
            return Outcome.FAILED
        return Outcome.DISCARDED

    def _discard(self, job: Job) -> Outcome:
        """The job was cancelled (or taken over) while this attempt ran: its result is dropped."""
        self.store.record_skip(job, f"attempt {job.attempts} finished after the job changed: result discarded")
        logger.info("late result discarded", extra={"jobId": job.id})
        return Outcome.DISCARDED

    def _skip(self, job: Job, reason: str) -> Outcome:
        self.store.record_skip(job, reason)
        logger.info("delivery skipped", extra={"jobId": job.id, "reason": reason})
        return Outcome.SKIPPED

    def _reject(self, record: SQSRecord, reason: str) -> Outcome:
        dead_letter(self.queues.dlq_url(self.queue), record, reason)
        logger.warning("message rejected", extra={"messageId": record.message_id, "reason": reason})
        return Outcome.REJECTED


def _redriven(record: SQSRecord) -> bool:
    return REASON_ATTRIBUTE in (record.message_attributes or {})
