"""Generated content with its per-platform variations, and where it was published."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from conveyor.jobs.data.table import DataTable, to_dynamo
from conveyor.jobs.records import now_iso


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
            "createdAt": now_iso(),
        }
        self._data.table.put_item(Item=item)

    def get(self, organization_id: str, content_id: str) -> dict[str, Any] | None:
        return self._data.get(f"ORG#{organization_id}", f"CONTENT#{content_id}")

    def mark_published(self, organization_id: str, content_id: str, platform: str, post: dict[str, Any]) -> bool:
        """Record the post; False when this content was already published there."""
        try:
            self._data.table.update_item(
                Key={"pk": f"ORG#{organization_id}", "sk": f"CONTENT#{content_id}"},
                UpdateExpression="SET published.#platform = :post",
                ConditionExpression="attribute_not_exists(published.#platform)",
                ExpressionAttributeNames={"#platform": platform},
                ExpressionAttributeValues={":post": {**to_dynamo(post), "publishedAt": now_iso()}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def save_document(self, organization_id: str, document_id: str, fields: dict[str, Any]) -> None:
        item = {"pk": f"ORG#{organization_id}", "sk": f"DOCUMENT#{document_id}", "processedAt": now_iso()}
        self._data.table.put_item(Item={**item, **to_dynamo(fields)})

    def document(self, organization_id: str, document_id: str) -> dict[str, Any] | None:
        return self._data.get(f"ORG#{organization_id}", f"DOCUMENT#{document_id}")
