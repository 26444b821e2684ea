"""What scraping and feeds bring in: context items, stored once each."""

from __future__ import annotations

from typing import Any

from conveyor.jobs.data.table import DataTable, to_dynamo
from conveyor.jobs.records import now_iso


class ContextItemStore:
    def __init__(self, data: DataTable) -> None:
        self._data = data

    def add(self, source_id: str, item_key: str, fields: dict[str, Any]) -> bool:
        """Store the item unless the source already has it; True when it is new."""
        item = {"pk": f"SOURCE#{source_id}", "sk": f"ITEM#{item_key}", "storedAt": now_iso(), **to_dynamo(fields)}
        return self._data.put_new(item)

    def items(self, source_id: str) -> list[dict[str, Any]]:
        return self._data.query(f"SOURCE#{source_id}", "ITEM#")
