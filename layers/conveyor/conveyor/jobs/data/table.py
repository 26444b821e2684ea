"""The few operations every record kind of the data table uses."""

from __future__ import annotations

import json
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from conveyor.dynamo import plain


class DataTable:
    def __init__(self, table: Any) -> None:
        self.table = table

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")
        return plain(item) if item else None

    def put_new(self, item: dict[str, Any]) -> bool:
        """Write an item that must not exist yet; False when it does."""
        try:
            self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
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

    def set(self, pk: str, sk: str, values: dict[str, Any], remove: tuple[str, ...] = ()) -> dict[str, Any]:
        """SET `values` (creating the item if needed); the item as it is afterwards."""
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in values)
        if remove:
            expression += " REMOVE " + ", ".join(f"#{name}" for name in remove)
        attributes = self.table.update_item(
            Key={"pk": pk, "sk": sk},
            UpdateExpression=expression,
            ExpressionAttributeNames={f"#{name}": name for name in [*values, *remove]},
            ExpressionAttributeValues={f":{name}": value for name, value in values.items()},
            ReturnValues="ALL_NEW",
        )["Attributes"]
        return plain(attributes)


def to_dynamo(value: Any) -> Any:
    """JSON-able data with floats, in the Decimals DynamoDB wants."""
    from decimal import Decimal

    return json.loads(json.dumps(value), parse_float=Decimal)
