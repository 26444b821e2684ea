"""The counters that move with job statuses, kept in the jobs table beside the jobs:

    id               attributes               what
    stats#<queue>    PENDING, RUNNING, ...    how many jobs of the queue are in each status
    org#<org id>     running                  how many jobs of the organization are RUNNING

They change only inside the transaction of the status change they count (`add_moves`),
so they are exact; the organization's limit is a condition on its counter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from conveyor.core.dynamo import Condition, Transaction, Update
from conveyor.jobs.status import JobStatus
from conveyor.jobs.transitions import Transition

_RUNNING = "running"


def queue_key(queue: str) -> dict[str, str]:
    return {"id": f"stats#{queue}"}


def organization_key(organization_id: str) -> dict[str, str]:
    return {"id": f"org#{organization_id}"}


class JobCounters:
    def __init__(self, table: Any) -> None:
        self._table = table

    def add_moves(
        self,
        tx: Transaction,
        transition: Transition,
        queue: str,
        organization_id: str,
        org_limit: int | None = None,
    ) -> int | None:
        """Add the counters `transition` moves to `tx`. With `org_limit`, taking a RUNNING
        slot is conditional on the organization having fewer; returns that action's index."""
        counts = transition.status_counts()
        if counts:
            tx.update(self._table.name, queue_key(queue), Update(add=counts))
        if not transition.org_running:
            return None
        condition = None
        if org_limit is not None and transition.org_running > 0:
            condition = Condition(
                "attribute_not_exists(#running) OR #running < :limit", {"#running": _RUNNING}, {":limit": org_limit}
            )
        update = Update(add={_RUNNING: transition.org_running})
        return tx.update(self._table.name, organization_key(organization_id), update, condition)

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
