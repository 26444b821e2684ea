"""Runs waiting to start, in priority order.

A run with priority p is ordered as if it had been submitted p seconds
earlier: the sort key is `submitted_ms - 1000 * p`, so one query in key order
gives the order runs must start in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key

from conveyor.core.dynamo import Transaction, plain

_ORDER_DIGITS = 16


@dataclass(frozen=True)
class WaitingRun:
    task_id: str
    run: int
    replay: int
    task: dict[str, Any]
    priority: int
    submitted_ms: int

    @property
    def run_id(self) -> str:
        """One admission: a run, or one replay of it."""
        return f"{self.task_id}#{self.run}#{self.replay}"

    @property
    def order_key(self) -> str:
        return f"{self.submitted_ms - 1000 * self.priority:0{_ORDER_DIGITS}d}#{self.run_id}"


class WaitingList:
    def __init__(self, table: Any, flow: str) -> None:
        self._table = table
        self._pk = f"WAITING#{flow}"

    def add(self, tx: Transaction, run: WaitingRun) -> int:
        """Add to `tx`: `run` joins the list (queued with the task record's change)."""
        item = {
            "pk": self._pk,
            "sk": run.order_key,
            "taskId": run.task_id,
            "run": run.run,
            "replay": run.replay,
            "task": run.task,
            "priority": run.priority,
            "submittedMs": run.submitted_ms,
        }
        return tx.put(self._table.name, item)

    def in_order(self, page_size: int = 100) -> Iterator[WaitingRun]:
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(self._pk),
            "ConsistentRead": True,
            "Limit": page_size,
        }
        while True:
            page = self._table.query(**query)
            yield from (_waiting_run(item) for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def remove(self, run: WaitingRun) -> None:
        self._table.delete_item(Key={"pk": self._pk, "sk": run.order_key})

    def __len__(self) -> int:
        return sum(1 for _ in self.in_order())


def _waiting_run(item: dict[str, Any]) -> WaitingRun:
    return WaitingRun(
        task_id=item["taskId"],
        run=int(item["run"]),
        replay=int(item["replay"]),
        task=plain(item["task"]),
        priority=int(item["priority"]),
        submitted_ms=int(item["submittedMs"]),
    )
