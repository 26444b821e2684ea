"""Work held back from a queue and released to it in priority order, as capacity frees.

SQS delivers a standard queue's messages in no particular order, so a message sent is a
job that may start next. A workload that must start urgent work before work already
waiting (and stop work it paused) keeps the waiting work out of SQS: it holds each
source of jobs (an evaluation run, a batch) as a backlog entry and releases jobs from
the entries in order only while the queue has room:

    free = window - (PENDING + RUNNING jobs of the queue)       exact: the job counters

    entry sort key   <rank:03d>#<since ms:016d>#<owner id>
                     rank 0 first (the workload maps its priorities to ranks);
                     within a rank, oldest first

So at most `window` jobs of the queue wait in SQS or run: a high-rank entry added now
is released before every job a lower one has not released yet. Entries are items of
the workload's table (string keys `pk`, `sk`), added and removed inside the workload's
transactions, beside the change that makes them (a run created, paused, resumed).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key

from conveyor.core.dynamo import Transaction
from conveyor.jobs.counters import JobCounters
from conveyor.jobs.status import JobStatus

_RANK_DIGITS = 3
_TIME_DIGITS = 16


@dataclass(frozen=True)
class BacklogEntry:
    owner_id: str  # what holds the jobs back (a run's id)
    rank: int  # 0 is released first
    since_ms: int  # when it joined: first come, first released within a rank

    @property
    def sort_key(self) -> str:
        return f"{self.rank:0{_RANK_DIGITS}d}#{self.since_ms:0{_TIME_DIGITS}d}#{self.owner_id}"

    @classmethod
    def from_sort_key(cls, sort_key: str) -> BacklogEntry:
        rank, since, owner = sort_key.split("#", 2)
        return cls(owner_id=owner, rank=int(rank), since_ms=int(since))


class Backlog:
    """The entries of one queue's backlog, in release order."""

    def __init__(self, table: Any, queue: str) -> None:
        self._table = table
        self._pk = f"backlog#{queue}"

    def add(self, tx: Transaction, entry: BacklogEntry) -> int:
        return tx.put(self._table.name, {"pk": self._pk, "sk": entry.sort_key, "ownerId": entry.owner_id})

    def remove(self, tx: Transaction, entry: BacklogEntry) -> int:
        return tx.delete(self._table.name, self._key(entry))

    def discard(self, entry: BacklogEntry) -> None:
        """Drop an entry with nothing left to release (no transaction needed: nothing moves with it)."""
        self._table.delete_item(Key=self._key(entry))

    def in_order(self, page_size: int = 25) -> Iterator[BacklogEntry]:
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(self._pk),
            "ConsistentRead": True,
            "Limit": page_size,
            "ProjectionExpression": "sk",
        }
        while True:
            page = self._table.query(**query)
            yield from (BacklogEntry.from_sort_key(item["sk"]) for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _key(self, entry: BacklogEntry) -> dict[str, str]:
        return {"pk": self._pk, "sk": entry.sort_key}


def free_capacity(counters: JobCounters, queue: str, window: int) -> int:
    """How many more jobs `queue` may have waiting or running within `window` (never below 0)."""
    counts = counters.by_queue([queue])[queue]
    return max(0, window - counts[JobStatus.PENDING] - counts[JobStatus.RUNNING])
