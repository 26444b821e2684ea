"""Many jobs of one queue at once: created or withdrawn in a unit of work, sent in batches.

`JobService.submit` writes one record and sends one message per job: two round trips
each. A workload that creates jobs by the hundred (a release from a backlog) adds
their creation to its own `Transaction` instead, beside whatever makes the creation
its own decision (a claim on the thing the jobs come from):

    tx = Transaction(client)
    tx.update(...)                              # the caller's claim
    created = bulk.add_creation(tx, new_jobs)   # PENDING records + one counter update
    tx.commit()                                 # all of it, or nothing
    unsent = bulk.send(created)                 # SendMessageBatch, ten at a time

Each record is created only if no job has its id, and the queue's PENDING count moves
by the number created in the same transaction, so the counters stay exact. Sending
comes after the commit: a message that could not be sent is returned to the caller,
which keeps what it needs to send it again (the engine tolerates a duplicate message:
a second delivery of a started job is skipped).

Withdrawing is creation undone: PENDING jobs that have not started are deleted, each
only if it is still PENDING in the delivery the caller saw, and the queue's PENDING
count moves back, in the caller's transaction (a job handed back to where it came from).

`create` is the whole of it for jobs that are their own decision (`POST /jobs/batch`):
their records in transactions of up to MAX_JOBS_PER_TRANSACTION, then their messages.
Its records carry no mark each: each transaction writes one `OwedBatch` item instead,
the outbox of its jobs, deleted once all their messages are sent (one write where the
marks took one per job). An item left behind (a send failed, the sender died) is the
sweeper's after OVERDUE_SECONDS: it sends its jobs that have not started again, as new
deliveries (`outbox`). All or nothing: a transaction that fails part-way withdraws what
the others created, before any message is sent.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from aws_lambda_powertools import Logger

from conveyor.core.clock import Clock, iso, now_ms, system_clock
from conveyor.core.dynamo import Condition, Transaction, Update
from conveyor.jobs.counters import queue_key
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.queues import JobQueues
from conveyor.jobs.records import Job, NewJob, OwedBatch
from conveyor.jobs.registry import JobRegistry
from conveyor.jobs.status import JobStatus
from conveyor.jobs.transitions import transition

logger = Logger(child=True)
T = TypeVar("T")

SEND_BATCH = 10  # SendMessageBatch takes at most ten entries
# Actions of a transaction left for the caller's own (its claim, markers): the rest may be jobs.
MAX_JOBS_PER_TRANSACTION = Transaction.MAX_ACTIONS - 4


class BulkJobs:
    def __init__(
        self, table: Any, queues: JobQueues, sqs: Any, registry: JobRegistry, clock: Clock = system_clock
    ) -> None:
        self._table = table
        self._queues = queues
        self._sqs = sqs
        self._registry = registry
        self._clock = clock

    def add_creation(self, tx: Transaction, jobs: Sequence[NewJob], *, marked: bool = True) -> list[Job]:
        """Add to `tx` the PENDING records of `jobs` (all of one queue) and the queue's counter;
        the records as they will be once `tx` commits. A job whose id exists cancels `tx`.
        Unless `marked` is False (the caller writes an OwedBatch), each record owes its message."""
        if not jobs:
            return []
        if len(jobs) > MAX_JOBS_PER_TRANSACTION:
            raise ValueError(f"at most {MAX_JOBS_PER_TRANSACTION} jobs per transaction, got {len(jobs)}")
        queues = {self._registry.queue_of(new.type) for new in jobs}
        if len(queues) != 1:
            raise ValueError(f"jobs created together share one queue, got {sorted(queues)}")
        [queue] = queues
        created_at = iso(self._clock())
        # Each owes its message until it starts (the record is the outbox, `outbox`): a job
        # whose batch was not sent, or that still waits after OVERDUE_SECONDS, is sent again.
        unsent_since = now_ms(self._clock)
        records = [
            Job(
                id=new.id,
                type=new.type,
                queue=queue,
                organization_id=new.organization_id,
                status=JobStatus.PENDING,
                payload=new.payload.to_json(),
                created_at=created_at,
                schedule_id=new.schedule_id,
                unsent_since_ms=unsent_since if marked else None,
            )
            for new in jobs
        ]
        absent = Condition("attribute_not_exists(#id)", {"#id": "id"})
        for job in records:
            tx.put(self._table.name, job.to_item(), absent)
        moves = transition(None, JobStatus.PENDING).status_counts()
        tx.update(self._table.name, queue_key(queue), Update(add={s: n * len(records) for s, n in moves.items()}))
        return records

    def add_withdrawal(self, tx: Transaction, jobs: Sequence[Job]) -> list[int]:
        """Add to `tx` the removal of PENDING `jobs` (all of one queue), each conditional on the
        status and delivery the caller saw, and the queue's counter; the actions' indexes
        (a failed one means that job moved on: it started, or was cancelled)."""
        if not jobs:
            return []
        queues = {job.queue for job in jobs}
        if len(queues) != 1 or any(job.status != JobStatus.PENDING for job in jobs):
            raise ValueError("only PENDING jobs of one queue are withdrawn together")
        [queue] = queues
        indexes = [tx.delete(self._table.name, {"id": job.id}, _unchanged(job)) for job in jobs]
        moves = transition(JobStatus.PENDING, None).status_counts()
        tx.update(self._table.name, queue_key(queue), Update(add={s: n * len(jobs) for s, n in moves.items()}))
        return indexes

    def create(self, jobs: Sequence[NewJob]) -> list[Job]:
        """Create `jobs` (of any queues; ids no job has) and send their messages: all of them, or
        none. The records as created, in the order given. A transaction that fails (its error
        is raised) withdraws what the others created; TransactionCancelled means an id was
        taken meanwhile."""
        batches: list[tuple[OwedBatch, list[Job]]] = []
        try:
            for of_queue in _by_queue(jobs, self._registry).values():
                for chunk in _chunks(of_queue, MAX_JOBS_PER_TRANSACTION):
                    tx = Transaction(self._table.meta.client)
                    records = self.add_creation(tx, chunk, marked=False)
                    owed = OwedBatch.of(records)
                    tx.put(self._table.name, owed.to_item())
                    tx.commit()
                    batches.append((owed, records))
        except Exception:
            self._withdraw(batches)
            raise
        for owed, records in batches:
            if not self.send(records):
                self.sent(owed)
        order = {new.id: index for index, new in enumerate(jobs)}
        return sorted((job for _, records in batches for job in records), key=lambda job: order[job.id])

    def sent(self, owed: OwedBatch) -> None:
        """Every message of the batch is on its queue: it owes none."""
        self._table.delete_item(Key={"id": owed.id})

    def _withdraw(self, batches: Sequence[tuple[OwedBatch, list[Job]]]) -> None:
        """Delete what a failed `create` wrote (nothing of it was sent), a transaction per batch.
        Should this fail too, the batches left are the sweeper's: their jobs are sent, and a
        retry of the request finds them."""
        try:
            for owed, records in batches:
                tx = Transaction(self._table.meta.client)
                self.add_withdrawal(tx, records)
                tx.delete(self._table.name, {"id": owed.id})
                tx.commit()
        except Exception:
            logger.exception("a failed bulk creation could not be withdrawn; its jobs will be sent")

    def send(self, jobs: Sequence[Job]) -> list[Job]:
        """Send each job's current delivery, ten per request; the jobs whose message was not sent."""
        unsent: list[Job] = []
        for start in range(0, len(jobs), SEND_BATCH):
            batch = jobs[start : start + SEND_BATCH]
            by_queue: dict[str, list[Job]] = {}
            for job in batch:
                by_queue.setdefault(job.queue, []).append(job)
            for queue, queued in by_queue.items():
                entries = [{"Id": str(i), "MessageBody": JobMessage.of(job).body()} for i, job in enumerate(queued)]
                try:
                    response = self._sqs.send_message_batch(QueueUrl=self._queues.url(queue), Entries=entries)
                except Exception as error:  # the caller sends them again later
                    logger.warning("job messages not sent", extra={"queue": queue, "error": str(error)})
                    unsent.extend(queued)
                    continue
                unsent.extend(queued[int(failure["Id"])] for failure in response.get("Failed", []))
        return unsent


def _by_queue(jobs: Sequence[NewJob], registry: JobRegistry) -> dict[str, list[NewJob]]:
    """New jobs grouped by their queue, in order."""
    grouped: dict[str, list[NewJob]] = {}
    for job in jobs:
        grouped.setdefault(str(registry.queue_of(job.type)), []).append(job)
    return grouped


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _unchanged(job: Job) -> Condition:
    return Condition(
        "#status = :seenStatus AND #delivery = :seenDelivery",
        {"#status": "status", "#delivery": "delivery"},
        {":seenStatus": job.status.value, ":seenDelivery": job.delivery},
    )
