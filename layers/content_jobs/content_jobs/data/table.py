"""The few operations every record kind of the data table uses."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from conveyor.core.clock import Clock, iso, system_clock
from conveyor.core.dynamo import Condition, Update, condition_failed, plain


class DataTable:
    def __init__(self, table: Any, clock: Clock = system_clock) -> None:
        self.table = table
        self._clock = clock

    def now(self) -> str:
        return iso(self._clock())

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")
        return plain(item) if item else None

    def put_new(self, item: dict[str, Any]) -> bool:
        """Write an item that must not exist yet; False when it does."""
        try:
            self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def query(self, pk: str, sk_prefix: str = "") -> list[dict[str, Any]]:
        condition = Key("pk").eq(pk) & Key("sk").begins_with(sk_prefix) if sk_prefix else Key("pk").eq(pk)
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {"KeyConditionExpression": condition, "ConsistentRead": True}
        while True:
            page = self.table.query(**request)
            items.extend(plain(item) for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def update(self, pk: str, sk: str, update: Update, condition: Condition | None = None) -> dict[str, Any]:
        """Apply `update` (creating the item if needed); the item as it is afterwards."""
        attributes = self.table.update_item(
            Key={"pk": pk, "sk": sk}, ReturnValues="ALL_NEW", **update.request(condition)
        )["Attributes"]
        return plain(attributes)

    def set(self, pk: str, sk: str, values: dict[str, Any], remove: tuple[str, ...] = ()) -> dict[str, Any]:
        return self.update(pk, sk, Update(set=values, remove=remove))
