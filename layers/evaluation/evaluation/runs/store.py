"""Runs in DynamoDB: created with their plan, moved by the transitions, counted.

Every change is one item update or one transaction, conditional on what the caller saw,
and every counter moves by `ADD` (never read, changed and written back):

    change          one transaction of
    create          the run (PENDING, its counters at 0), its backlog entry, the unreleased count
    claim           nextIndex += k and the handed-back indexes taken, the jobs' records (bulk),
                    the unreleased count -= k, the backlog entry removed when nothing is left
    hand back       the job withdrawn (bulk), its index back in `returned`, the unreleased
                    count += 1; only while the run is PAUSED
    pause           status PAUSED, its backlog entry removed: the dispatcher releases nothing
    resume          status RUNNING, its backlog entry back (at its first place in line)
    cancel          status CANCELLED, its backlog entry removed, what it never released moved
                    from the unreleased count to the cancelled-unreleased count
    count           the task's entry marked counted (only once: its condition), and the run's
                    completed|failed, remaining and byModel moved by one
    complete        status COMPLETED when remaining = 0 (a condition, no read)

The unreleased counts (`counters` / `<queue>`: planned, cancelled) let the queue status
show jobs that are not records yet: created, or cancelled before they were released.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from conveyor.core.clock import Clock, iso, system_clock
from conveyor.core.dynamo import Condition, Transaction, TransactionCancelled, Update, condition_failed, plain
from conveyor.core.pagination import PageTokens
from conveyor.jobs.backlog import Backlog, BacklogEntry
from evaluation.catalog import QueueName
from evaluation.runs.records import ACTIVE, Run, model_key, owner, owner_status, run_key
from evaluation.runs.status import RunAction, RunStatus, target
from evaluation.runs.tasks import task_key

Outcome = Literal["completed", "failed"]
PROBE_QUEUE = QueueName.PROBE_SCENARIO.value
_TRIES = 5
# What a worker reads of a run before starting one of its jobs.
_GATE_ATTRIBUTES = ("status", "organizationId", "models", "definition")


class RunNotFound(Exception):
    def __init__(self, run_id: str) -> None:
        super().__init__(f"no run {run_id!r}")


class RunChanged(Exception):
    """The run moved on between reading and writing it: read it again."""


@dataclass(frozen=True)
class Unreleased:
    """A queue's jobs that are not job records: waiting in a plan, or cancelled there."""

    planned: int
    cancelled: int


class RunStore:
    def __init__(self, table: Any, clock: Clock = system_clock) -> None:
        self._table = table
        self._clock = clock
        self.backlog = Backlog(table, PROBE_QUEUE)

    @property
    def table_name(self) -> str:
        return str(self._table.name)

    def transaction(self) -> Transaction:
        """A unit of work over the evaluation table and the jobs table (one account, one client)."""
        return Transaction(self._table.meta.client)

    # -- reading ---------------------------------------------------------------------------

    def get(self, run_id: str) -> Run | None:
        item = self._table.get_item(Key=run_key(run_id), ConsistentRead=True).get("Item")
        return Run.from_item(item) if item else None

    def existing(self, run_id: str) -> Run:
        run = self.get(run_id)
        if run is None:
            raise RunNotFound(run_id)
        return run

    def gate(self, run_id: str) -> dict[str, Any] | None:
        """What a worker needs of a run to decide about one of its jobs (status, models,
        definition), read consistently: a pause is seen by the next job after it."""
        names = {f"#{name}": name for name in _GATE_ATTRIBUTES}
        item = self._table.get_item(
            Key=run_key(run_id),
            ConsistentRead=True,
            ProjectionExpression=", ".join(names),
            ExpressionAttributeNames=names,
        ).get("Item")
        return plain(item) if item else None

    def page(
        self, organization_id: str, status: RunStatus | None, limit: int, next_token: str | None
    ) -> tuple[list[Run], str | None]:
        """The organization's runs, newest first (of one status, when given)."""
        if status is None:
            index, key, value = "byOwner", "owner", owner(organization_id)
        else:
            index, key, value = "byOwnerStatus", "ownerStatus", owner_status(organization_id, status)
        tokens = PageTokens("pk", "sk", key, "createdKey")
        query: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": Key(key).eq(value),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        start = tokens.decode(next_token, fixed={key: value})
        if start:
            query["ExclusiveStartKey"] = start
        response = self._table.query(**query)
        return [Run.from_item(item) for item in response["Items"]], tokens.encode(response.get("LastEvaluatedKey"))

    def active_ids(self) -> list[str]:
        """Every run not yet COMPLETED or CANCELLED, oldest first."""
        query: dict[str, Any] = {
            "IndexName": "active",
            "KeyConditionExpression": Key("activeKey").eq(ACTIVE),
            "ProjectionExpression": "pk",
        }
        ids: list[str] = []
        while True:
            response = self._table.query(**query)
            ids.extend(str(item["pk"]).removeprefix("run#") for item in response["Items"])
            if "LastEvaluatedKey" not in response:
                return ids
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def unreleased(self, queue: str = PROBE_QUEUE) -> Unreleased:
        item = self._table.get_item(Key=_counter_key(queue), ConsistentRead=True).get("Item") or {}
        return Unreleased(planned=int(item.get("planned", 0)), cancelled=int(item.get("cancelled", 0)))

    # -- creating and releasing ----------------------------------------------------------------

    def create(self, run: Run) -> None:
        """The run, its place in the backlog and its unreleased jobs: all at once, or nothing."""
        tx = self.transaction()
        tx.put(self.table_name, run.to_item(), Condition("attribute_not_exists(pk)"))
        self.backlog.add(tx, backlog_entry(run))
        tx.update(self.table_name, _counter_key(PROBE_QUEUE), Update(add={"planned": run.total}))
        tx.commit()

    def add_claim(self, tx: Transaction, run: Run, fresh: int, returned: Sequence[int]) -> None:
        """Add to `tx`: jobs [nextIndex, nextIndex + fresh) and the handed-back `returned` leave
        the run's plan for the queue; only while the run releases jobs and is as it was read."""
        condition = Condition(
            "#status IN (:pending, :running) AND #nextIndex = :seenNext",
            {"#status": "status", "#nextIndex": "nextIndex"},
            {":pending": RunStatus.PENDING.value, ":running": RunStatus.RUNNING.value, ":seenNext": run.next_index},
        )
        for index in returned:
            names = {"#returned": "returned", f"#r{index}": str(index)}
            condition = condition & Condition(f"attribute_exists(#returned.#r{index})", names)
        update = Update(add={"nextIndex": fresh}, remove=tuple(f"returned.{index}" for index in returned))
        tx.update(self.table_name, run_key(run.id), update, condition)
        tx.update(self.table_name, _counter_key(PROBE_QUEUE), Update(add={"planned": -(fresh + len(returned))}))
        if run.next_index + fresh >= run.total and len(returned) == len(run.returned):
            self.backlog.remove(tx, backlog_entry(run))

    def add_hand_back(self, tx: Transaction, run_id: str, index: int) -> None:
        """Add to `tx`: job `index` goes back to its run's plan, to be released again after a
        resume; only while the run is PAUSED."""
        condition = Condition("#status = :paused", {"#status": "status"}, {":paused": RunStatus.PAUSED.value})
        tx.update(self.table_name, run_key(run_id), Update(set={f"returned.{index}": True}), condition)
        tx.update(self.table_name, _counter_key(PROBE_QUEUE), Update(add={"planned": 1}))

    def add_cancelled(self, tx: Transaction, queue: str) -> None:
        """Add to `tx`: one job of `queue` withdrawn because its run was cancelled before it started."""
        tx.update(self.table_name, _counter_key(queue), Update(add={"cancelled": 1}))

    # -- what people ask for -------------------------------------------------------------------

    def pause(self, run_id: str) -> Run:
        return self._change(run_id, RunAction.PAUSE)

    def resume(self, run_id: str) -> Run:
        return self._change(run_id, RunAction.RESUME)

    def cancel(self, run_id: str) -> Run:
        """CANCELLED; a run cancelled already is returned as it is."""
        return self._change(run_id, RunAction.CANCEL)

    def _change(self, run_id: str, action: RunAction) -> Run:
        for _ in range(_TRIES):  # the run may move on (a job starts, a release) between read and write
            run = self.existing(run_id)
            if action == RunAction.CANCEL and run.status == RunStatus.CANCELLED:
                return run
            to = target(action, run.status, run.id)
            now = iso(self._clock())
            changes: dict[str, Any] = {"status": to.value, "ownerStatus": owner_status(run.organization_id, to)}
            seen = Condition("#status = :seen", {"#status": "status"}, {":seen": run.status.value})
            tx = self.transaction()
            remove: tuple[str, ...] = ()
            if action == RunAction.PAUSE:
                changes["pausedAt"] = now
                self.backlog.remove(tx, backlog_entry(run))
            elif action == RunAction.RESUME:
                remove = ("pausedAt",)
                self.backlog.add(tx, backlog_entry(run))
            else:  # cancel: what was never released is cancelled where it waits
                changes["finishedAt"] = now
                remove = ("activeKey", "pausedAt")
                seen = seen & _released_as_seen(run)
                self.backlog.remove(tx, backlog_entry(run))
                moved = {"planned": -run.unreleased, "cancelled": run.unreleased}
                tx.update(self.table_name, _counter_key(PROBE_QUEUE), Update(add=moved))
            tx.update(self.table_name, run_key(run.id), Update(set=changes, remove=remove), seen)
            try:
                tx.commit()
            except TransactionCancelled:
                continue
            item = run.to_item()
            item.update(changes)
            for name in remove:
                item.pop(name, None)
            return Run.from_item(item)
        raise RunChanged(f"run {run_id} kept changing; try again")

    # -- what jobs move ------------------------------------------------------------------------

    def start(self, run_id: str, organization_id: str) -> None:
        """PENDING -> RUNNING: its first job is starting (nothing when it is not PENDING any more)."""
        changes = {
            "status": RunStatus.RUNNING.value,
            "startedAt": iso(self._clock()),
            "ownerStatus": owner_status(organization_id, RunStatus.RUNNING),
        }
        condition = Condition("#status = :pending", {"#status": "status"}, {":pending": RunStatus.PENDING.value})
        self._conditional_update(run_id, Update(set=changes), condition)

    def count(self, run_id: str, index: int, model_index: int, outcome: Outcome) -> bool:
        """Count job `index` of the run as `outcome`, once: False when it was counted before
        (a delivery repeated after its worker died between the job's end and this count)."""
        now = iso(self._clock())
        tx = self.transaction()
        marked = tx.update(
            self.table_name,
            task_key(run_id, index),
            Update(set={"counted": outcome, "taskRun": run_id, "activityKey": f"{now}#{index:08d}"}),
            Condition("attribute_not_exists(#counted)", {"#counted": "counted"}),
        )
        moves = {outcome: 1, "remaining": -1, f"byModel.{model_key(model_index)}.{outcome}": 1}
        tx.update(self.table_name, run_key(run_id), Update(add=moves), Condition("attribute_exists(pk)"))
        try:
            tx.commit()
        except TransactionCancelled as cancelled:
            if cancelled.failed(marked):
                return False
            raise
        return True

    def complete(self, run_id: str) -> bool:
        """COMPLETED if every job has ended (remaining = 0) and the run is not final; whether it was."""
        sources = [s.value for s in (RunStatus.PENDING, RunStatus.RUNNING, RunStatus.PAUSED)]
        condition = Condition(
            "#remaining = :zero AND #status IN (:s0, :s1, :s2)",
            {"#remaining": "remaining", "#status": "status"},
            {":zero": 0, **{f":s{i}": status for i, status in enumerate(sources)}},
        )
        seen = self._table.get_item(
            Key=run_key(run_id),
            ConsistentRead=True,
            ProjectionExpression="remaining, organizationId",
        ).get("Item")
        if seen is None or seen["remaining"] != 0:
            return False
        changes = {
            "status": RunStatus.COMPLETED.value,
            "finishedAt": iso(self._clock()),
            "ownerStatus": owner_status(str(seen["organizationId"]), RunStatus.COMPLETED),
        }
        return self._conditional_update(run_id, Update(set=changes, remove=("activeKey", "pausedAt")), condition)

    def _conditional_update(self, run_id: str, update: Update, condition: Condition) -> bool:
        try:
            self._table.update_item(Key=run_key(run_id), **update.request(condition))
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True


def backlog_entry(run: Run) -> BacklogEntry:
    return BacklogEntry(owner_id=run.id, rank=run.priority.rank, since_ms=run.created_ms)


def _counter_key(queue: str) -> dict[str, str]:
    return {"pk": "counters", "sk": queue}


def _released_as_seen(run: Run) -> Condition:
    """Nothing released or handed back since `run` was read: its unreleased count is exact."""
    returned = Condition(
        "size(#returned) = :returnedCount", {"#returned": "returned"}, {":returnedCount": len(run.returned)}
    )
    next_index = Condition("#nextIndex = :seenNext", {"#nextIndex": "nextIndex"}, {":seenNext": run.next_index})
    return next_index & returned
