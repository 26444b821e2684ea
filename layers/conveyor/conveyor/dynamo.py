"""Values read back from DynamoDB, made plain for JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from conveyor.aws import dynamodb


def plain(value: Any) -> Any:
    """DynamoDB returns every number as a Decimal: whole ones become int, others float."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | set):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def transact_write(actions: list[dict[str, Any]]) -> None:
    """TransactWriteItems with plain Python values, as the Table API takes them.

    Each action is `{"Put": {...}}`, `{"Update": {...}}`, `{"Delete": {...}}` or
    `{"ConditionCheck": {...}}` with its `TableName`. The resource's client
    serializes the values itself.
    """
    dynamodb().meta.client.transact_write_items(TransactItems=actions)
