"""DynamoDB as the stores use it: plain values, update expressions, and a unit of work.

- `plain` / `to_dynamo`: numbers come back as Decimal; JSON-able data goes in with
  floats as Decimal.
- `Update`: one item's change (SET, SET if absent, ADD, REMOVE, list append) rendered
  as an UpdateExpression with its names and values, so no store assembles strings.
- `Transaction`: the unit of work. Stores add their actions (`put`, `update`, `delete`,
  `check`) and whoever owns the business step commits once: all or nothing. A cancelled
  transaction says which action's condition failed and, where asked, what the item held.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

CONDITION_FAILED = "ConditionalCheckFailedException"


def plain(value: Any) -> Any:
    """DynamoDB returns every number as a Decimal: whole ones become int, others float."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | set):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def to_dynamo(value: Any) -> Any:
    """JSON-able data with its floats as the Decimals DynamoDB wants."""
    return json.loads(json.dumps(value), parse_float=Decimal)


def condition_failed(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == CONDITION_FAILED


def old_item(error: ClientError) -> dict[str, Any] | None:
    """The item as it was, from a write sent with `ReturnValuesOnConditionCheckFailure: ALL_OLD`
    whose condition failed (an error's item arrives in DynamoDB's typed form, even through a
    Table resource)."""
    return _deserialized(error.response.get("Item"))


def _deserialized(item: dict[str, Any] | None) -> dict[str, Any] | None:
    if not item:
        return None
    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in item.items()}


@dataclass(frozen=True)
class Condition:
    """A ConditionExpression with the names and values it uses."""

    expression: str
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)

    def __and__(self, other: Condition) -> Condition:
        return Condition(
            f"({self.expression}) AND ({other.expression})",
            {**self.names, **other.names},
            {**self.values, **other.values},
        )


@dataclass
class Update:
    """One item's change. Attribute paths are plain names or dotted map paths (`counters.processed`)."""

    set: dict[str, Any] = field(default_factory=dict)
    set_if_absent: dict[str, Any] = field(default_factory=dict)
    add: dict[str, int | float] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    append: dict[str, list[Any]] = field(default_factory=dict)

    def render(self) -> tuple[str, dict[str, str], dict[str, Any]]:
        names: dict[str, str] = {}
        values: dict[str, Any] = {}

        def path(attribute: str) -> str:
            segments = attribute.split(".")
            names.update({f"#{segment}": segment for segment in segments})
            return ".".join(f"#{segment}" for segment in segments)

        def value(item: Any) -> str:
            placeholder = f":u{len(values)}"
            values[placeholder] = item
            return placeholder

        sets = [f"{path(name)} = {value(item)}" for name, item in self.set.items()]
        sets += [
            f"{path(name)} = if_not_exists({path(name)}, {value(item)})" for name, item in self.set_if_absent.items()
        ]
        sets += [
            f"{path(name)} = list_append(if_not_exists({path(name)}, {value([])}), {value(entries)})"
            for name, entries in self.append.items()
        ]
        clauses = [f"SET {', '.join(sets)}"] if sets else []
        if self.add:
            clauses.append("ADD " + ", ".join(f"{path(name)} {value(delta)}" for name, delta in self.add.items()))
        if self.remove:
            clauses.append("REMOVE " + ", ".join(path(name) for name in self.remove))
        return " ".join(clauses), names, values

    def request(self, condition: Condition | None = None) -> dict[str, Any]:
        """UpdateExpression, ConditionExpression and their names and values, as UpdateItem takes them."""
        expression, names, values = self.render()
        request: dict[str, Any] = {"UpdateExpression": expression, "ExpressionAttributeNames": names}
        if condition is not None:
            request["ConditionExpression"] = condition.expression
            names.update(condition.names)
            values.update(condition.values)
        if values:
            request["ExpressionAttributeValues"] = values
        return request


class TransactionCancelled(Exception):
    """A transaction was cancelled; `failed(i)` says whether action i's condition failed."""

    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__([reason.get("Code") for reason in reasons])
        self.reasons = reasons

    def failed(self, index: int) -> bool:
        return index < len(self.reasons) and self.reasons[index].get("Code") == "ConditionalCheckFailed"

    def item(self, index: int) -> dict[str, Any] | None:
        """The item as it was, for an action sent with `return_old_on_failure` whose condition failed."""
        if not self.failed(index):
            return None
        return _deserialized(self.reasons[index].get("Item"))


class Transaction:
    """A unit of work over one or more tables: actions are added, then committed at once.

    Uses a Table resource's client, which takes plain Python values. `add_*` return the
    action's index, which `TransactionCancelled.failed` takes."""

    MAX_ACTIONS = 100

    def __init__(self, client: Any) -> None:
        self._client = client
        self.actions: list[dict[str, Any]] = []

    def put(self, table: str, item: dict[str, Any], condition: Condition | None = None) -> int:
        action: dict[str, Any] = {"TableName": table, "Item": item}
        if condition is not None:
            action.update(_condition_request(condition))
        return self._add({"Put": action})

    def update(
        self,
        table: str,
        key: dict[str, Any],
        update: Update,
        condition: Condition | None = None,
        *,
        return_old_on_failure: bool = False,
    ) -> int:
        action = {"TableName": table, "Key": key, **update.request(condition)}
        if return_old_on_failure:
            action["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return self._add({"Update": action})

    def delete(self, table: str, key: dict[str, Any], condition: Condition | None = None) -> int:
        action: dict[str, Any] = {"TableName": table, "Key": key}
        if condition is not None:
            action.update(_condition_request(condition))
        return self._add({"Delete": action})

    def check(self, table: str, key: dict[str, Any], condition: Condition) -> int:
        return self._add({"ConditionCheck": {"TableName": table, "Key": key, **_condition_request(condition)}})

    def commit(self) -> None:
        if not self.actions:
            return
        try:
            self._client.transact_write_items(TransactItems=self.actions)
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                raise TransactionCancelled(error.response.get("CancellationReasons", [])) from error
            raise

    def _add(self, action: dict[str, Any]) -> int:
        if len(self.actions) >= self.MAX_ACTIONS:
            raise ValueError(f"a DynamoDB transaction holds at most {self.MAX_ACTIONS} actions")
        self.actions.append(action)
        return len(self.actions) - 1


def _condition_request(condition: Condition) -> dict[str, Any]:
    request: dict[str, Any] = {"ConditionExpression": condition.expression}
    if condition.names:
        request["ExpressionAttributeNames"] = dict(condition.names)
    if condition.values:
        request["ExpressionAttributeValues"] = dict(condition.values)
    return request
