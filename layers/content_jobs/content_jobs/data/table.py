"""The few operations every record kind of the data table uses.

Every record is one DynamoDB item, at most 400 KB. What the workload stores from
outside (page and document text, titles, links) is cut to fit before it is written
(`utf8_prefix`, `MAX_TEXT_BYTES`); an item DynamoDB still refuses as too large is an
`ItemTooLarge`, a `PermanentError`: the same write would fail every time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from conveyor.core.clock import Clock, iso, now_ms, system_clock
from conveyor.core.dynamo import Condition, Update, condition_failed, plain
from conveyor.core.errors import PermanentError

# Stored text (a page's, a feed entry's, a document's) is cut to this many UTF-8 bytes:
# with the other fields of its item (a link of up to MAX_LINK_BYTES, a title...) it fits a
# 400 KB item, whatever the script (a CJK character is 3 bytes, an emoji 4).
MAX_TEXT_BYTES = 300_000
MAX_TITLE_BYTES = 2_000
MAX_LINK_BYTES = 4_000


class ItemTooLarge(PermanentError):
    """DynamoDB refused the item as over 400 KB: writing it again cannot succeed."""


def utf8_prefix(text: str, max_bytes: int) -> str:
    """The longest start of `text` that is at most `max_bytes` in UTF-8 (never half a character)."""
    encoded = text.encode()
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode(errors="ignore")


class DataTable:
    def __init__(self, table: Any, clock: Clock = system_clock) -> None:
        self.table = table
        self._clock = clock

    def now(self) -> str:
        return iso(self._clock())

    def now_ms(self) -> int:
        return now_ms(self._clock)

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")
        return plain(item) if item else None

    def put(self, item: dict[str, Any]) -> None:
        with _sized(item):
            self.table.put_item(Item=item)

    def put_new(self, item: dict[str, Any]) -> bool:
        """Write an item that must not exist yet; False when it does."""
        try:
            with _sized(item):
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
        """Apply `update` (creating the item if needed); the item as it is afterwards. A failed
        condition's ClientError carries the item as it was (`conveyor.core.dynamo.old_item`)."""
        request = update.request(condition)
        if condition is not None:
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        with _sized({"pk": pk, "sk": sk}):
            attributes = self.table.update_item(Key={"pk": pk, "sk": sk}, ReturnValues="ALL_NEW", **request)
        return plain(attributes["Attributes"])

    def set(self, pk: str, sk: str, values: dict[str, Any], remove: tuple[str, ...] = ()) -> dict[str, Any]:
        return self.update(pk, sk, Update(set=values, remove=remove))


@contextmanager
def _sized(item: dict[str, Any]) -> Iterator[None]:
    try:
        yield
    except ClientError as error:
        details = error.response.get("Error", {})
        if details.get("Code") == "ValidationException" and "maximum allowed size" in details.get("Message", ""):
            raise ItemTooLarge(f"{item.get('pk')} {item.get('sk')}: {details['Message']}") from None
        raise
