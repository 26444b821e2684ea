"""What scraping and feeds bring in: context items, stored once each."""

from __future__ import annotations

from typing import Any

from content_jobs.data.table import DataTable
from conveyor.core.dynamo import to_dynamo


class ContextItemStore:
    def __init__(self, data: DataTable) -> None:
        self._data = data

    def add(self, source_id: str, item_key: str, fields: dict[str, Any]) -> bool:
        """Store the item unless the source already has it; True when it is new."""
        item = {"pk": f"SOURCE#{source_id}", "sk": f"ITEM#{item_key}", "storedAt": self._data.now()}
        return self._data.put_new({**item, **to_dynamo(fields)})

    def items(self, source_id: str) -> list[dict[str, Any]]:
        return self._data.query(f"SOURCE#{source_id}", "ITEM#")
