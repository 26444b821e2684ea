"""Sliding-window throttles: at most `limit` run starts in any window of
`period` seconds, per key.

Each key's item keeps the times of its last `limit` starts (a sliding window
log). A new start is admitted when fewer than `limit` starts are recorded or
the oldest of the last `limit` is at least `period` old; otherwise it must wait
until that oldest start leaves the window. Unlike a token bucket, this never
lets a window hold more than `limit` starts. Writes are conditional on the
item's version; recording the same run twice records it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from conveyor.flow.limits import ThrottleLimit


class ThrottleConflict(RuntimeError):
    """The window changed between reading and writing it; dispatch again."""


@dataclass(frozen=True)
class Window:
    starts_ms: list[int]
    run_ids: list[str]
    version: int

    def next_start_ms(self, limit: ThrottleLimit, now_ms: int) -> int:
        """When a new start fits in this window: `now_ms` or later."""
        if len(self.starts_ms) < limit.limit:
            return now_ms
        oldest_in_window = self.starts_ms[-limit.limit]
        return max(now_ms, oldest_in_window + int(limit.period_seconds * 1000))


class SlidingWindowThrottle:
    def __init__(self, table: Any, flow: str) -> None:
        self._table = table
        self._pk = f"THROTTLE#{flow}"

    def window(self, key: str) -> Window:
        item = self._table.get_item(Key={"pk": self._pk, "sk": key}, ConsistentRead=True).get("Item") or {}
        return Window(
            starts_ms=[int(start) for start in item.get("startsMs", [])],
            run_ids=list(item.get("runIds", [])),
            version=int(item.get("version", 0)),
        )

    def record(self, key: str, limit: ThrottleLimit, window: Window, run_id: str, start_ms: int) -> None:
        """Add a start to `window` (as read), keeping the last `limit` starts."""
        if run_id in window.run_ids:
            return
        try:
            self._table.put_item(
                Item={
                    "pk": self._pk,
                    "sk": key,
                    "startsMs": [*window.starts_ms, start_ms][-limit.limit :],
                    "runIds": [*window.run_ids, run_id][-limit.limit :],
                    "version": window.version + 1,
                },
                ConditionExpression="attribute_not_exists(version) OR version = :read",
                ExpressionAttributeValues={":read": window.version},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ThrottleConflict(key) from error
            raise
