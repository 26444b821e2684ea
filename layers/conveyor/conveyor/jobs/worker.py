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

A batch of deliveries (the mapping's BatchSize) does its DynamoDB work per batch: one
read of all its jobs, one transaction starting those that may start (their organizations'
slots included), the processors one after another, one transaction completing those that
succeeded (`store`). Each delivery keeps its own outcome: an error in one fails that one
delivery, reported as a batch item failure so SQS delivers it again.

A processor fails its attempt in the core vocabulary: `PermanentError` fails the job
at once; `TransientError` (waiting its `retry_after` when it has one) and any other
exception are tried again after the backoff. A job killed with its worker is a stall,
not a failed attempt (`stalled`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

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
T = TypeVar("T")


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


@dataclass(frozen=True)
class Ready:
    """A delivery whose job may start: PENDING, current, attempts left, a valid payload."""

    record: SQSRecord
    job: Job
    payload: JobPayload


@dataclass(frozen=True)
class Succeeded:
    """An attempt whose processor returned: its result waits for the batch's completion."""

    result: Any


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
        self.stalls = StalledJobs(self.jobs, max_stalls=self.policy.max_stalls, clock=self.clock)

    def handle(self, record: SQSRecord) -> Outcome:
        """One delivery on its own: its outcome; RetryScheduled (or the error) when it failed."""
        outcome = self.handle_batch([record])[record.message_id]
        if isinstance(outcome, Exception):
            raise outcome
        if outcome == Outcome.RETRY_SCHEDULED:
            raise RetryScheduled(f"message {record.message_id}: retry scheduled")
        return outcome

    def handle_batch(self, records: Sequence[SQSRecord]) -> dict[str, Outcome | Exception]:
        """Each delivery's outcome, by message id. RETRY_SCHEDULED, or the exception that stopped
        it, is a delivery to report as failed: SQS delivers it again (after the backoff)."""
        parsed: dict[str, JobMessage | ValidationError] = {}
        for record in records:
            try:
                parsed[record.message_id] = JobMessage.model_validate_json(record.body)
            except ValidationError as error:
                parsed[record.message_id] = error
        # Read before anything is done: when the read fails, the whole batch comes again as it was.
        job_ids = [message.job_id for message in parsed.values() if isinstance(message, JobMessage)]
        jobs = self.jobs.store.get_all(job_ids) if job_ids else {}

        outcomes: dict[str, Outcome | Exception] = {}
        ready: list[Ready] = []
        for record in records:
            message = parsed[record.message_id]
            if isinstance(message, ValidationError):
                outcome = self._guarded(self._reject, record, f"not a job message: {describe(message)}")
            else:
                outcome = self._guarded(self._triage, record, message, jobs.get(message.job_id), ready)
            if outcome is not None:
                outcomes[record.message_id] = outcome
        if ready:
            outcomes.update(self._run_all(ready))
        return outcomes

    def _triage(self, record: SQSRecord, message: JobMessage, job: Job | None, ready: list[Ready]) -> Outcome | None:
        """What a delivery comes to before its job starts; None when it is ready to start (added to `ready`)."""
        if job is None:
            return self._reject(record, f"no job {message.job_id!r}")
        if message.delivery != job.delivery:
            return self._skip(job, f"delivery {message.delivery} was superseded by {job.delivery}")
        if any(other.job.id == job.id for other in ready):
            return self._skip(job, "duplicate delivery of an attempt starting in the same batch")
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
        ready.append(Ready(record, job, payload))
        return None

    def _run_all(self, ready: list[Ready]) -> dict[str, Outcome | Exception]:
        """Start the ready jobs in one transaction, run each, complete those that succeeded in one more."""
        outcomes: dict[str, Outcome | Exception] = {}
        try:
            started = self.jobs.store.start_all([each.job for each in ready], self.org_running_limit)
        except Exception as error:  # nothing started: every delivery is tried again
            logger.exception("the batch's jobs could not be started")
            return {each.record.message_id: error for each in ready}
        succeeded: list[tuple[Ready, Job, Any]] = []
        for each in ready:
            start = started[each.job.id]
            if isinstance(start, OrganizationAtLimit):
                outcomes[each.record.message_id] = self._guarded(self._wait_for_organization, each.job)
            elif isinstance(start, JobChanged):
                outcomes[each.record.message_id] = Outcome.SKIPPED
            else:
                outcome = self._guarded(self._attempt, each, start)
                if isinstance(outcome, Succeeded):
                    succeeded.append((each, start, outcome.result))
                else:
                    outcomes[each.record.message_id] = outcome
        if succeeded:
            outcomes.update(self._complete_all(succeeded))
        return outcomes

    def _attempt(self, ready: Ready, running: Job) -> Outcome | Succeeded:
        """Run the processor: its result, to complete with the batch, or how the attempt ended."""
        lock_seconds = self.jobs.queues.lock_seconds(running.queue)

        def keep_alive() -> bool:
            if not self.jobs.store.heartbeat(running):
                return False
            self.jobs.queues.delay_redelivery(running.queue, ready.record.receipt_handle, lock_seconds)
            return True

        try:
            return Succeeded(self.processors[running.type](ready.payload, JobContext(running, keep_alive)))
        except JobCancelled:
            return self._discard(running)
        except Busy as busy:
            return self._postpone(running, busy)
        except PermanentError as error:
            return self._fail(ready.record, running, Failure.of(error))
        except Exception as error:
            return self._attempt_failed(ready.record, running, error)

    def _complete_all(self, succeeded: list[tuple[Ready, Job, Any]]) -> dict[str, Outcome | Exception]:
        try:
            completed = self.jobs.store.complete_all([(running, result) for _, running, result in succeeded])
        except Exception as error:  # the attempts stay RUNNING: their deliveries come again
            logger.exception("the batch's results could not be recorded")
            return {each.record.message_id: error for each, _, _ in succeeded}
        outcomes: dict[str, Outcome | Exception] = {}
        for each, running, _ in succeeded:
            if isinstance(completed[running.id], JobChanged):
                outcomes[each.record.message_id] = self._guarded(self._discard, running)
            else:
                outcomes[each.record.message_id] = Outcome.COMPLETED
        return outcomes

    def _wait_for_organization(self, job: Job) -> Outcome:
        delay = self.org_wait_seconds + random.randint(0, self.org_wait_seconds)  # spread the re-checks
        self.jobs.queues.send(job.queue, JobMessage.of(job), delay)
        logger.info("organization at its limit; job waits", extra={"jobId": job.id, "retryIn": delay})
        return Outcome.DEFERRED

    def _guarded(self, step: Callable[..., T], *args: Any) -> T | Exception:
        """One delivery's step: an error fails that delivery alone (SQS delivers it again)."""
        try:
            return step(*args)
        except Exception as error:
            logger.exception("delivery failed", extra={"step": step.__name__})
            return error

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
        return Outcome.RETRY_SCHEDULED

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
