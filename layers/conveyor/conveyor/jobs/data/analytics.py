"""Post metrics from the platforms, and the learning records aggregated from them."""

from __future__ import annotations

from typing import Any

from conveyor.jobs.data.table import DataTable, to_dynamo
from conveyor.jobs.records import now_iso


class AnalyticsStore:
    def __init__(self, data: DataTable) -> None:
        self._data = data

    def save_post_metrics(self, account_id: str, posts: list[dict[str, Any]]) -> None:
        with self._data.table.batch_writer() as batch:
            for post in posts:
                item = {"pk": f"ACCOUNT#{account_id}", "sk": f"POST#{post['postId']}", "syncedAt": now_iso()}
                batch.put_item(Item={**item, **to_dynamo(post)})

    def post_metrics(self, account_id: str) -> list[dict[str, Any]]:
        return self._data.query(f"ACCOUNT#{account_id}", "POST#")

    def save_learning(self, organization_id: str, account_id: str, record: dict[str, Any]) -> None:
        """The latest learning record of an account (one per account, replaced by each sync)."""
        item = {"pk": f"ORG#{organization_id}", "sk": f"LEARNING#{account_id}", "updatedAt": now_iso()}
        self._data.table.put_item(Item={**item, **to_dynamo(record)})

    def learnings(self, organization_id: str) -> list[dict[str, Any]]:
        return self._data.query(f"ORG#{organization_id}", "LEARNING#")
