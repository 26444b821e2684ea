"""Context sources (websites and feeds) and their health.

A source is registered by its first scrape or sync. Each failed attempt adds
one to its run of failures and a success resets it; at five in a row the
source is unhealthy and the scraping schedule leaves it out (a job asked for
by hand still runs, and a success makes it healthy again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conveyor.jobs.data.table import DataTable
from conveyor.jobs.records import now_iso

UNHEALTHY_AFTER_FAILURES = 5
_PK = "SOURCE"


@dataclass(frozen=True)
class Source:
    id: str
    organization_id: str
    kind: str  # "website" | "rss"
    url: str
    healthy: bool
    consecutive_failures: int
    last_job_id: str | None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Source:
        return cls(
            id=item["sk"],
            organization_id=item["organizationId"],
            kind=item["kind"],
            url=item["url"],
            healthy=bool(item.get("healthy", True)),
            consecutive_failures=int(item.get("consecutiveFailures", 0)),
            last_job_id=item.get("lastJobId"),
        )


class SourceStore:
    def __init__(self, data: DataTable) -> None:
        self._data = data

    def register(self, source_id: str, organization_id: str, kind: str, url: str) -> None:
        self._data.table.update_item(
            Key={"pk": _PK, "sk": source_id},
            UpdateExpression=(
                "SET organizationId = :org, #kind = :kind, #url = :url, healthy = if_not_exists(healthy, :true),"
                " consecutiveFailures = if_not_exists(consecutiveFailures, :zero)"
            ),
            ExpressionAttributeNames={"#kind": "kind", "#url": "url"},
            ExpressionAttributeValues={":org": organization_id, ":kind": kind, ":url": url, ":true": True, ":zero": 0},
        )

    def get(self, source_id: str) -> Source | None:
        item = self._data.get(_PK, source_id)
        return Source.from_item(item) if item else None

    def succeeded(self, source_id: str) -> None:
        self._data.set(
            _PK, source_id, {"healthy": True, "consecutiveFailures": 0, "lastSuccessAt": now_iso()}, ("lastError",)
        )

    def failed(self, source_id: str, error: str) -> Source:
        """Count one more failure in a row; the fifth marks the source unhealthy."""
        item = self._data.table.update_item(
            Key={"pk": _PK, "sk": source_id},
            UpdateExpression="ADD consecutiveFailures :one SET lastError = :error, lastFailureAt = :now",
            ExpressionAttributeValues={":one": 1, ":error": error[:500], ":now": now_iso()},
            ReturnValues="ALL_NEW",
        )["Attributes"]
        if int(item["consecutiveFailures"]) >= UNHEALTHY_AFTER_FAILURES and item.get("healthy", True):
            item = self._data.set(_PK, source_id, {"healthy": False, "unhealthySince": now_iso()})
        return Source.from_item(item)

    def healthy(self) -> list[Source]:
        return [source for source in map(Source.from_item, self._data.query(_PK)) if source.healthy]

    def set_last_job(self, source_id: str, job_id: str) -> None:
        self._data.set(_PK, source_id, {"lastJobId": job_id})
