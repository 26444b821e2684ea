"""Post metrics from the platforms, and the learning records aggregated from them."""

from __future__ import annotations

from typing import Any

from content_jobs.data.table import DataTable
from conveyor.core.dynamo import to_dynamo


class AnalyticsStore:
    def __init__(self, data: DataTable) -> None:
        self._data = data

    def save_post_metrics(self, account_id: str, posts: list[dict[str, Any]]) -> None:
        synced_at = self._data.now()
        with self._data.table.batch_writer() as batch:
            for post in posts:
                item = {"pk": f"ACCOUNT#{account_id}", "sk": f"POST#{post['postId']}", "syncedAt": synced_at}
                batch.put_item(Item={**item, **to_dynamo(post)})

    def post_metrics(self, account_id: str) -> list[dict[str, Any]]:
        return self._data.query(f"ACCOUNT#{account_id}", "POST#")

    def save_learning(self, organization_id: str, account_id: str, record: dict[str, Any]) -> None:
        """The latest learning record of an account (one per account, replaced by each sync)."""
        item = {"pk": f"ORG#{organization_id}", "sk": f"LEARNING#{account_id}", "updatedAt": self._data.now()}
        self._data.put({**item, **to_dynamo(record)})

    def learnings(self, organization_id: str) -> list[dict[str, Any]]:
        return self._data.query(f"ORG#{organization_id}", "LEARNING#")
