"""The counters that move with job statuses, kept in the jobs table beside the jobs:

    id               attributes               what
    stats#<queue>    PENDING, RUNNING, ...    how many jobs of the queue are in each status
    org#<org id>     running                  how many jobs of the organization are RUNNING

They change only inside the transaction of the status changes they count (`add_moves`),
so they are exact; the organization's limit is a condition on its counter. A transaction
that moves many jobs (a worker's batch) adds one update per counter, not one per job.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from conveyor.core.dynamo import Condition, Transaction, Update
from conveyor.jobs.status import JobStatus
from conveyor.jobs.transitions import Transition

_RUNNING = "running"


@dataclass(frozen=True)
class Counted:
    """One job's status change, as the counters see it."""

    transition: Transition
    queue: str
    organization_id: str


def queue_key(queue: str) -> dict[str, str]:
    return {"id": f"stats#{queue}"}


def organization_key(organization_id: str) -> dict[str, str]:
    return {"id": f"org#{organization_id}"}


class JobCounters:
    def __init__(self, table: Any) -> None:
        self._table = table

    def add_moves(self, tx: Transaction, moves: Iterable[Counted], org_limit: int | None = None) -> dict[str, int]:
        """Add to `tx` the counters that `moves` move together: one update per queue and per
        organization, whatever the number of jobs. With `org_limit`, taking RUNNING slots is
        conditional on the organization having room for all it takes; returns the index of each
        organization's action."""
        by_queue: dict[str, Counter[str]] = defaultdict(Counter)
        by_organization: Counter[str] = Counter()
        for move in moves:
            by_queue[move.queue].update(move.transition.status_counts())
            by_organization[move.organization_id] += move.transition.org_running
        for queue, counts in by_queue.items():
            deltas = {status: delta for status, delta in counts.items() if delta}
            if deltas:
                tx.update(self._table.name, queue_key(queue), Update(add=deltas))
        indexes = {}
        for organization_id, delta in by_organization.items():
            if not delta:
                continue
            condition = None
            if org_limit is not None and delta > 0:
                condition = _room_for(delta, org_limit)
            update = Update(add={_RUNNING: delta})
            indexes[organization_id] = tx.update(self._table.name, organization_key(organization_id), update, condition)
        return indexes

    def by_queue(self, queues: Iterable[str]) -> dict[str, dict[JobStatus, int]]:
        """Each queue's jobs per status (read consistently)."""
        names = list(queues)
        response = self._table.meta.client.batch_get_item(
            RequestItems={self._table.name: {"Keys": [queue_key(q) for q in names], "ConsistentRead": True}}
        )
        items = {item["id"]: item for item in response["Responses"].get(self._table.name, [])}
        return {
            queue: {
                status: max(int(items.get(queue_key(queue)["id"], {}).get(status.value, 0)), 0) for status in JobStatus
            }
            for queue in names
        }

    def org_running(self, organization_id: str) -> int:
        item = self._table.get_item(Key=organization_key(organization_id), ConsistentRead=True).get("Item") or {}
        return int(item.get(_RUNNING, 0))


def _room_for(slots: int, limit: int) -> Condition:
    """The organization has `slots` free under `limit` (a missing counter is 0 running)."""
    room = "#running <= :most" if slots > limit else "attribute_not_exists(#running) OR #running <= :most"
    return Condition(room, {"#running": _RUNNING}, {":most": limit - slots})
