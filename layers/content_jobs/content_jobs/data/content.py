"""Generated content with its per-platform variations, and where it was published; processed documents."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from content_jobs.data.table import DataTable
from conveyor.core.dynamo import Condition, Update, condition_failed, to_dynamo


class ContentStore:
    def __init__(self, data: DataTable) -> None:
        self._data = data

    def save(self, organization_id: str, content_id: str, topic: str, variations: dict[str, Any]) -> None:
        item = {
            "pk": f"ORG#{organization_id}",
            "sk": f"CONTENT#{content_id}",
            "topic": topic,
            "variations": to_dynamo(variations),
            "published": {},
            "createdAt": self._data.now(),
        }
        self._data.table.put_item(Item=item)

    def get(self, organization_id: str, content_id: str) -> dict[str, Any] | None:
        return self._data.get(f"ORG#{organization_id}", f"CONTENT#{content_id}")

    def mark_published(self, organization_id: str, content_id: str, platform: str, post: dict[str, Any]) -> bool:
        """Record the post; False when this content was already published there."""
        update = Update(set={f"published.{platform}": {**to_dynamo(post), "publishedAt": self._data.now()}})
        not_yet = Condition("attribute_not_exists(published.#platform)", {"#platform": platform})
        try:
            self._data.update(f"ORG#{organization_id}", f"CONTENT#{content_id}", update, not_yet)
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def save_document(self, organization_id: str, document_id: str, fields: dict[str, Any]) -> None:
        item = {"pk": f"ORG#{organization_id}", "sk": f"DOCUMENT#{document_id}", "processedAt": self._data.now()}
        self._data.table.put_item(Item={**item, **to_dynamo(fields)})

    def document(self, organization_id: str, document_id: str) -> dict[str, Any] | None:
        return self._data.get(f"ORG#{organization_id}", f"DOCUMENT#{document_id}")
