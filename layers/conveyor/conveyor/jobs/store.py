"""Job records in DynamoDB: creating them, and moving them from status to status.

Every status change is one transaction (`conveyor.core.dynamo.Transaction`): the job's
update, conditional on the status and delivery the caller saw, together with the
counters its transition moves (`transitions`, `counters`). So the counters are exact,
a stale worker never overwrites a newer state, and the per-organization limit is a
condition on the organization's counter. A change whose condition fails raises
`JobChanged` carrying the job as it is now (ReturnValuesOnConditionCheckFailure), so
nobody reads it again to find out why.

Each change returns the job as it left it, worked out from the change itself: what
DynamoDB now holds, without reading it back.

A worker's batch moves its jobs together (`get_all`, `start_all`, `complete_all`): one
read, one transaction to start them all, one to complete them, with one counter update
per queue and organization however many jobs move. The outcome stays exact per job: a
job that changed drops out and the others are committed again; an organization without
room for all of its jobs gets them one at a time, as many as it has slots for.

A change that adds to the history writes the whole (bounded) history it computed from
the job the caller saw (`Job.history_with`). That is safe under the same condition:
every change with a history entry moves the status, and the only way back to a status
under the same delivery (RUNNING -> PENDING -> RUNNING after a failed attempt) is taken
by the attempt's own worker, which writes nothing more; so a job still in the status
and delivery its caller saw still has the history that caller saw.

Changes that owe a message (created, retried, released after a stall, postponed) mark
it in the same write (`unsentSinceMs`); `sent` removes the mark (`conveyor.jobs.outbox`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from conveyor.core.clock import Clock, iso, now_ms, system_clock
from conveyor.core.dynamo import Condition, Transaction, TransactionCancelled, Update, condition_failed, old_item
from conveyor.jobs.counters import Counted, JobCounters
from conveyor.jobs.errors import JobNotFound, NotAllowed
from conveyor.jobs.records import Attempt, Failure, Job, NewJob, OwedBatch
from conveyor.jobs.status import RETRYABLE, JobStatus
from conveyor.jobs.transitions import transition

_CANCEL_TRIES = 5
_BATCH_GET_KEYS = 100  # BatchGetItem takes at most 100 keys


class JobChanged(Exception):
    """The job is no longer in the status and delivery the caller saw. `current` is the
    job as it is now (None: it no longer exists)."""

    def __init__(self, job_id: str, current: Job | None) -> None:
        super().__init__(f"job {job_id} changed meanwhile ({current.status if current else 'gone'})")
        self.current = current


class JobExists(Exception):
    def __init__(self, existing: Job) -> None:
        super().__init__(existing.id)
        self.existing = existing


class OrganizationAtLimit(Exception):
    """The organization has its limit of RUNNING jobs."""


@dataclass(frozen=True)
class Move:
    """One job's status change: to `target` with `change`, an `attempt` for its history, and
    what else must still hold (`expect`) besides its status and delivery."""

    job: Job
    target: JobStatus
    change: Update
    attempt: Attempt | None = None
    expect: Condition | None = None


class MovesRefused(Exception):
    """A transaction of moves was cancelled: some jobs changed (`changed`: each as it is now,
    None when gone), some organizations had no room (`at_limit`). Nothing was written."""

    def __init__(self, changed: dict[str, Job | None], at_limit: set[str]) -> None:
        super().__init__(f"changed: {sorted(changed)}; at their limit: {sorted(at_limit)}")
        self.changed = changed
        self.at_limit = at_limit


class JobStore:
    def __init__(self, table: Any, clock: Clock = system_clock) -> None:
        self._table = table
        self._clock = clock
        self.counters = JobCounters(table)

    @property
    def table_name(self) -> str:
        return str(self._table.name)

    def get(self, job_id: str) -> Job | None:
        item = self._table.get_item(Key={"id": job_id}, ConsistentRead=True).get("Item")
        return Job.from_item(item) if item and "listKey" in item else None

    def get_all(self, job_ids: Iterable[str]) -> dict[str, Job]:
        """The jobs of `job_ids` that exist, by id: one consistent BatchGetItem per 100."""
        wanted, found = sorted(set(job_ids)), {}
        client = self._table.meta.client
        for first in range(0, len(wanted), _BATCH_GET_KEYS):
            keys = [{"id": job_id} for job_id in wanted[first : first + _BATCH_GET_KEYS]]
            request: dict[str, Any] = {self.table_name: {"Keys": keys, "ConsistentRead": True}}
            while request:
                response = client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self.table_name, []):
                    if "listKey" in item:
                        found[item["id"]] = Job.from_item(item)
                request = response.get("UnprocessedKeys") or {}
        return found

    def existing(self, job_id: str) -> Job:
        job = self.get(job_id)
        if job is None:
            raise JobNotFound(job_id)
        return job

    # -- created ------------------------------------------------------------------------

    def create(self, new: NewJob, queue: str, delay_seconds: int = 0) -> Job:
        """Record a PENDING job, its message owed (to run after `delay_seconds`); JobExists (with
        it) when a job with this id exists."""
        now = now_ms(self._clock)
        job = Job(
            id=new.id,
            type=new.type,
            queue=queue,
            organization_id=new.organization_id,
            status=JobStatus.PENDING,
            payload=new.payload.to_json(),
            created_at=self._now(),
            schedule_id=new.schedule_id,
            unsent_since_ms=now,
            next_attempt_ms=now + delay_seconds * 1000 if delay_seconds else None,
        )
        item = job.to_item()
        tx = self._transaction()
        created = tx.update(
            self.table_name,
            {"id": job.id},
            Update(set={name: value for name, value in item.items() if name != "id"}),
            Condition("attribute_not_exists(#id)", {"#id": "id"}),
            return_old_on_failure=True,
        )
        self.counters.add_moves(tx, [Counted(transition(None, JobStatus.PENDING), queue, job.organization_id)])
        try:
            tx.commit()
        except TransactionCancelled as cancelled:
            existing = cancelled.item(created)
            if existing is not None:
                raise JobExists(Job.from_item(existing)) from None
            raise
        return job

    # -- messages owed ---------------------------------------------------------------------

    def sent(self, job: Job) -> None:
        """The message of the job's current delivery is on its queue: it is owed no more."""
        request = Update(remove=("unsentSinceMs",)).request(_unsent(job))
        try:
            self._table.update_item(Key={"id": job.id}, **request)
        except ClientError as error:
            if not condition_failed(error):  # it moved on (started, cancelled, sent again): nothing to mark
                raise

    def forget_owed(self, batch: OwedBatch) -> None:
        """The batch's jobs owe no message through it any more (sent, or marked each)."""
        self._table.delete_item(Key={"id": batch.id})

    def redeliver(self, job: Job) -> Job:
        """A PENDING job whose message is owed for too long gets a new delivery, owed from now;
        the caller sends it. JobChanged when it moved on meanwhile (started, sent, cancelled)."""
        change = Update(set={"unsentSinceMs": now_ms(self._clock)}, add={"delivery": 1, "redeliveries": 1})
        request = change.request(_unsent(job))
        try:
            self._table.update_item(Key={"id": job.id}, ReturnValuesOnConditionCheckFailure="ALL_OLD", **request)
        except ClientError as error:
            if condition_failed(error):
                current = old_item(error)
                raise JobChanged(job.id, Job.from_item(current) if current else None) from None
            raise
        return _after(job, change)

    # -- a worker's attempt -------------------------------------------------------------

    def start(self, job: Job, org_limit: int) -> Job:
        """PENDING -> RUNNING, taking one of the organization's slots (OrganizationAtLimit when
        it has none free); the attempt counts from here."""
        return self._move_one(self._starting(job), org_limit)

    def start_all(self, jobs: Sequence[Job], org_limit: int) -> dict[str, Job | JobChanged | OrganizationAtLimit]:
        """`start` for many jobs in one transaction; what became of each, by id."""
        return self._move_all([self._starting(job) for job in jobs], org_limit)

    def _starting(self, job: Job) -> Move:
        change = Update(set={"startedAt": self._now(), "heartbeatMs": now_ms(self._clock)}, add={"attempts": 1})
        return Move(job, JobStatus.RUNNING, change)

    def heartbeat(self, job: Job) -> bool:
        """The attempt is alive: push its lock forward. False when it was cancelled or taken over."""
        request = Update(set={"heartbeatMs": now_ms(self._clock)}).request(_still(job))
        try:
            self._table.update_item(Key={"id": job.id}, **request)
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def complete(self, job: Job, result: Any) -> Job:
        """RUNNING -> COMPLETED with the processor's result."""
        return self._move_one(self._completing(job, result))

    def complete_all(self, results: Sequence[tuple[Job, Any]]) -> dict[str, Job | JobChanged]:
        """`complete` for many jobs (each with its result) in one transaction; what became of each, by id."""
        moved = self._move_all([self._completing(job, result) for job, result in results])
        return {job_id: outcome for job_id, outcome in moved.items() if not isinstance(outcome, OrganizationAtLimit)}

    def _completing(self, job: Job, result: Any) -> Move:
        finished = self._now()
        change = Update(set={"resultJson": json.dumps(result), "finishedAt": finished})
        return Move(job, JobStatus.COMPLETED, change, self._attempt(job, "completed", finished))

    def retry_later(self, job: Job, error: Failure, delay_seconds: int) -> Job:
        """RUNNING -> PENDING: the attempt failed; the next one comes after `delay_seconds`
        (the received message is kept hidden that long: no message is owed)."""
        entry = self._attempt(job, "failed", self._now(), error, retry_in=delay_seconds)
        change = Update(set={"error": error.model_dump(), "nextAttemptMs": now_ms(self._clock) + delay_seconds * 1000})
        return self._move(job, JobStatus.PENDING, change, entry)

    def postpone(self, job: Job, reason: Failure, delay_seconds: int) -> Job:
        """RUNNING -> PENDING: the attempt could not run yet (what it needs is busy). It is not
        counted; a new delivery, owed from now, runs it after `delay_seconds`."""
        now = now_ms(self._clock)
        entry = self._attempt(job, "postponed", self._now(), reason, retry_in=delay_seconds)
        change = Update(
            set={"unsentSinceMs": now, "nextAttemptMs": now + delay_seconds * 1000},
            add={"attempts": -1, "delivery": 1, "postponements": 1},
        )
        return self._move(job, JobStatus.PENDING, change, entry)

    def fail(self, job: Job, error: Failure) -> Job:
        """-> FAILED, from RUNNING (a permanent error, the last attempt) or PENDING (an invalid
        payload, no attempts left)."""
        finished = self._now()
        change = Update(set={"error": error.model_dump(), "finishedAt": finished})
        return self._move(job, JobStatus.FAILED, change, self._attempt(job, "failed", finished, error))

    def release_stalled(self, job: Job, error: Failure) -> Job:
        """RUNNING past its lock -> PENDING with a new delivery, owed from now. The stalled attempt
        is not counted (it is a stall). Conditional on the heartbeat the caller saw."""
        change = Update(
            set={"error": error.model_dump(), "unsentSinceMs": now_ms(self._clock)},
            add={"attempts": -1, "stalls": 1, "delivery": 1},
        )
        entry = self._attempt(job, "stalled", self._now(), error)
        return self._move(job, JobStatus.PENDING, change, entry, expect=_heartbeat(job))

    def fail_stalled(self, job: Job, error: Failure) -> Job:
        """RUNNING past its lock -> FAILED: it stalled once more than it may. Conditional on the
        heartbeat the caller saw."""
        finished = self._now()
        change = Update(set={"error": error.model_dump(), "finishedAt": finished}, add={"attempts": -1, "stalls": 1})
        entry = self._attempt(job, "stalled", finished, error)
        return self._move(job, JobStatus.FAILED, change, entry, expect=_heartbeat(job))

    def release_lost(self, job: Job, error: Failure) -> Job:
        """PENDING whose message is nowhere -> PENDING with a new delivery, owed from now, one
        stall more (`stalled`). Conditional on the delivery the caller saw."""
        change = Update(set={"unsentSinceMs": now_ms(self._clock)}, add={"stalls": 1, "delivery": 1})
        return self._move(job, JobStatus.PENDING, change, self._attempt(job, "lost", self._now(), error))

    def fail_lost(self, job: Job, error: Failure) -> Job:
        """PENDING whose message is nowhere -> FAILED: it stalled once more than it may."""
        finished = self._now()
        change = Update(set={"error": error.model_dump(), "finishedAt": finished}, add={"stalls": 1})
        return self._move(job, JobStatus.FAILED, change, self._attempt(job, "lost", finished, error))

    # -- what people ask for ------------------------------------------------------------

    def cancel(self, job: Job) -> Job:
        """PENDING or RUNNING -> CANCELLED (`job` as the caller read it); a RUNNING job's slot is freed at once."""
        for _ in range(_CANCEL_TRIES):  # the job may move on between the read and the write
            if job.status.final:
                raise NotAllowed(job.id, job.status.value, "cancel")
            now = self._now()
            try:
                return self._move(job, JobStatus.CANCELLED, Update(set={"finishedAt": now, "cancelledAt": now}))
            except JobChanged as changed:
                if changed.current is None:
                    raise JobNotFound(job.id) from None
                job = changed.current
        raise JobChanged(job.id, job)

    def requeue(self, job: Job) -> Job:
        """Back to PENDING with fresh attempts and stalls and a new delivery, owed from now (a
        retry); the caller sends it. From FAILED or CANCELLED, or PENDING when SQS dead-lettered
        its message."""
        if job.status not in (*RETRYABLE, JobStatus.PENDING):
            raise NotAllowed(job.id, job.status.value, "retry")
        change = Update(
            set={"attempts": 0, "stalls": 0, "unsentSinceMs": now_ms(self._clock)}, add={"delivery": 1, "retries": 1}
        )
        try:
            return self._move(job, JobStatus.PENDING, change)
        except JobChanged as changed:
            status = changed.current.status.value if changed.current else "gone"
            raise NotAllowed(job.id, status, "retry") from None

    def record_skip(self, job: Job, reason: str) -> None:
        """A delivery that was not run (cancelled, finished, superseded): kept for whoever wonders why."""
        request = Update(set={"lastSkipReason": reason}, add={"skipped": 1}).request(
            Condition("attribute_exists(#id)", {"#id": "id"})
        )
        try:
            self._table.update_item(Key={"id": job.id}, **request)
        except ClientError as error:
            if not condition_failed(error):  # a job that is gone has nothing to record
                raise

    def ping(self) -> None:
        self._table.meta.client.describe_table(TableName=self.table_name)

    # -- the mechanics ------------------------------------------------------------------

    def _move(
        self,
        job: Job,
        target: JobStatus,
        change: Update,
        attempt: Attempt | None = None,
        *,
        expect: Condition | None = None,
    ) -> Job:
        return self._move_one(Move(job, target, change, attempt, expect))

    def _move_one(self, move: Move, org_limit: int | None = None) -> Job:
        try:
            [moved] = self._commit([move], org_limit)
        except MovesRefused as refused:
            if refused.changed:
                raise JobChanged(move.job.id, refused.changed[move.job.id]) from None
            raise OrganizationAtLimit(move.job.organization_id) from None
        return moved

    def _move_all(
        self, moves: Sequence[Move], org_limit: int | None = None
    ) -> dict[str, Job | JobChanged | OrganizationAtLimit]:
        """Commit `moves` together: what became of each job, by id. A job that changed drops out
        and the rest are committed again; the jobs of an organization without room for all of
        them are moved one at a time, so it fills what room it has."""
        if len({move.job.id for move in moves}) != len(moves):
            raise ValueError("a job moves at most once per transaction")
        outcomes: dict[str, Job | JobChanged | OrganizationAtLimit] = {}
        remaining = list(moves)
        while remaining:
            try:
                outcomes.update((job.id, job) for job in self._commit(remaining, org_limit))
                break
            except MovesRefused as refused:
                outcomes.update((job_id, JobChanged(job_id, current)) for job_id, current in refused.changed.items())
                crowded = [
                    m for m in remaining if m.job.id not in outcomes and m.job.organization_id in refused.at_limit
                ]
                for move in crowded:
                    try:
                        outcomes[move.job.id] = self._move_one(move, org_limit)
                    except (JobChanged, OrganizationAtLimit) as refusal:
                        outcomes[move.job.id] = refusal
                remaining = [move for move in remaining if move.job.id not in outcomes]
        return outcomes

    def _commit(self, moves: Sequence[Move], org_limit: int | None) -> list[Job]:
        """One transaction: each job (still as the caller saw it) moves to its target with its
        change, and the counters of the transitions follow; the jobs as they are then.
        MovesRefused when a job changed or an organization has no room."""
        tx = self._transaction()
        updates = []
        for move in moves:
            moved = transition(move.job.status, move.target)
            change = move.change
            update = Update(set={**change.set, "status": move.target.value}, add=change.add, remove=moved.clears)
            if move.attempt is not None:
                history, earlier = move.job.history_with(move.attempt)
                update.set["history"] = [entry.model_dump(mode="json", exclude_none=True) for entry in history]
                if earlier is not None:
                    update.set["earlierHistory"] = earlier.model_dump(mode="json")
            condition = _still(move.job) if move.expect is None else _still(move.job) & move.expect
            index = tx.update(self.table_name, {"id": move.job.id}, update, condition, return_old_on_failure=True)
            updates.append((index, move.job, update, Counted(moved, move.job.queue, move.job.organization_id)))
        org_indexes = self.counters.add_moves(tx, [counted for *_, counted in updates], org_limit)
        try:
            tx.commit()
        except TransactionCancelled as cancelled:
            changed = {
                job.id: _job_or_none(cancelled.item(index)) for index, job, _, _ in updates if cancelled.failed(index)
            }
            at_limit = {org for org, index in org_indexes.items() if cancelled.failed(index)}
            if changed or at_limit:
                raise MovesRefused(changed, at_limit) from None
            raise
        return [_after(job, update) for _, job, update, _ in updates]

    def _attempt(
        self, job: Job, outcome: str, finished_at: str, error: Failure | None = None, retry_in: int | None = None
    ) -> Attempt:
        return Attempt(
            attempt=job.attempts,
            outcome=outcome,
            started_at=job.started_at if job.status == JobStatus.RUNNING else None,
            finished_at=finished_at,
            error=error,
            retry_in_seconds=retry_in,
        )

    def _transaction(self) -> Transaction:
        return Transaction(self._table.meta.client)

    def _now(self) -> str:
        return iso(self._clock())


def _still(job: Job) -> Condition:
    """The job is as the caller saw it: same status, same delivery."""
    return Condition(
        "#status = :seenStatus AND #delivery = :seenDelivery",
        {"#status": "status", "#delivery": "delivery"},
        {":seenStatus": job.status.value, ":seenDelivery": job.delivery},
    )


def _heartbeat(job: Job) -> Condition:
    """The attempt showed no sign of life since the caller looked."""
    return Condition(
        "#heartbeatMs = :seenHeartbeat", {"#heartbeatMs": "heartbeatMs"}, {":seenHeartbeat": job.heartbeat_ms}
    )


def _unsent(job: Job) -> Condition:
    """The job's current delivery is still the one the caller saw owed: with the mark it saw,
    or, for a job whose OwedBatch owes its message, still PENDING without a mark."""
    names = {"#delivery": "delivery", "#unsent": "unsentSinceMs"}
    if job.unsent_since_ms is None:
        return Condition(
            "#delivery = :seenDelivery AND #status = :pending AND attribute_not_exists(#unsent)",
            {**names, "#status": "status"},
            {":seenDelivery": job.delivery, ":pending": JobStatus.PENDING.value},
        )
    return Condition(
        "#delivery = :seenDelivery AND #unsent = :seenUnsent",
        names,
        {":seenDelivery": job.delivery, ":seenUnsent": job.unsent_since_ms},
    )


def _job_or_none(item: dict[str, Any] | None) -> Job | None:
    return Job.from_item(item) if item else None


def _after(job: Job, update: Update) -> Job:
    """The job as `update` (top-level attributes only) leaves its item."""
    item = job.to_item()
    item.update(update.set)
    for name, value in update.set_if_absent.items():
        item.setdefault(name, value)
    for name, delta in update.add.items():
        item[name] = item.get(name, 0) + delta
    for name, entries in update.append.items():
        item[name] = [*item.get(name, []), *entries]
    for name in update.remove:
        item.pop(name, None)
    return Job.from_item(item)
