"""Context sources (websites and feeds) and their health.

A source is registered by its first scrape or sync, for that job's organization,
and is that organization's from then on: a job of another organization naming it is
refused (`OtherOrganization`) before it touches the source. Each failed attempt adds
one to its run of failures and a success resets it; at five in a row the
source is unhealthy and the scraping schedule leaves it out (a job asked for
by hand still runs, and a success makes it healthy again).
"""

from __future__ import annotations

from typing import Any, Literal

from botocore.exceptions import ClientError

from content_jobs.data.table import DataTable
from content_jobs.errors import OtherOrganization
from conveyor.core.dynamo import Condition, Update, condition_failed
from conveyor.core.models import ApiModel

UNHEALTHY_AFTER_FAILURES = 5
_PK = "SOURCE"


class Source(ApiModel):
    id: str
    organization_id: str
    kind: Literal["website", "rss"]
    url: str
    healthy: bool = True
    consecutive_failures: int = 0
    last_job_id: str | None = None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Source:
        return cls.model_validate({**item, "id": item["sk"]})


class SourceStore:
    def __init__(self, data: DataTable) -> None:
        self._data = data

    def register(self, source_id: str, organization_id: str, kind: str, url: str) -> None:
        """The source as this job names it; OtherOrganization when the id is another's source."""
        update = Update(
            set={"organizationId": organization_id, "kind": kind, "url": url},
            set_if_absent={"healthy": True, "consecutiveFailures": 0},
        )
        ours = Condition(
            "attribute_not_exists(#org) OR #org = :org", {"#org": "organizationId"}, {":org": organization_id}
        )
        try:
            self._data.update(_PK, source_id, update, ours)
        except ClientError as error:
            if condition_failed(error):
                raise OtherOrganization(f"source id {source_id!r} is another organization's; choose another") from None
            raise

    def get(self, source_id: str) -> Source | None:
        item = self._data.get(_PK, source_id)
        return Source.from_item(item) if item else None

    def succeeded(self, source_id: str) -> None:
        values = {"healthy": True, "consecutiveFailures": 0, "lastSuccessAt": self._data.now()}
        self._data.set(_PK, source_id, values, remove=("lastError",))

    def failed(self, source_id: str, error: str) -> Source:
        """Count one more failure in a row; the fifth marks the source unhealthy."""
        failure = {"lastError": error[:500], "lastFailureAt": self._data.now()}
        item = self._data.update(_PK, source_id, Update(set=failure, add={"consecutiveFailures": 1}))
        if item["consecutiveFailures"] >= UNHEALTHY_AFTER_FAILURES and item.get("healthy", True):
            item = self._data.set(_PK, source_id, {"healthy": False, "unhealthySince": self._data.now()})
        return Source.from_item(item)

    def healthy(self) -> list[Source]:
        return [source for source in map(Source.from_item, self._data.query(_PK)) if source.healthy]

    def set_last_job(self, source_id: str, job_id: str) -> None:
        self._data.set(_PK, source_id, {"lastJobId": job_id})
