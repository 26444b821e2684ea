"""Concurrency slots: at most `capacity` runs hold a slot at once.

Each slot is one item (`SLOTS#<flow>`, `SLOT#0007`) that a run holds from its
start until it ends. Taking a slot is a conditional write (free, or its lease
expired), so two takers can never hold the same slot. Taking is idempotent per
run: a run that already holds a slot gets that slot back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError


@dataclass(frozen=True)
class Slot:
    index: int
    holder: str | None
    execution_arn: str | None
    acquired_ms: int
    lease_expires_ms: int

    def free_at(self, now_ms: int) -> bool:
        return self.holder is None or self.lease_expires_ms <= now_ms


class ConcurrencySlots:
    def __init__(self, table: Any, flow: str, capacity: int, lease_seconds: float) -> None:
        self._table = table
        self._pk = f"SLOTS#{flow}"
        self.capacity = capacity
        self._lease_ms = int(lease_seconds * 1000)

    def held(self) -> list[Slot]:
        """Slots currently held (including expired leases not yet taken over)."""
        return [slot for slot in self._all() if slot.holder is not None]

    def acquire(self, run_id: str, execution_arn: str, now_ms: int) -> Slot | None:
        """A slot for `run_id`, whose execution is `execution_arn`: the one it holds,
        else a free one, else None. The ARN is known before the execution starts, so
        a run that ends at once still finds its slot to release."""
        slots = {slot.index: slot for slot in self._all()}
        for slot in slots.values():
            if slot.holder == run_id:
                return slot
        # Slots held beyond the capacity (it was lowered) still count.
        if sum(1 for slot in slots.values() if not slot.free_at(now_ms)) >= self.capacity:
            return None
        for index in range(self.capacity):
            slot = slots.get(index)
            if (slot is None or slot.free_at(now_ms)) and self._take(index, run_id, execution_arn, now_ms):
                return Slot(index, run_id, execution_arn, now_ms, now_ms + self._lease_ms)
        return None

    def release(self, *, run_id: str | None = None, execution_arn: str | None = None) -> bool:
        """Free the slot held by `run_id` or by `execution_arn`; False if none was."""
        for slot in self._all():
            if (run_id and slot.holder == run_id) or (execution_arn and slot.execution_arn == execution_arn):
                return self._free(slot)
        return False

    def _take(self, index: int, run_id: str, execution_arn: str, now_ms: int) -> bool:
        try:
            self._table.put_item(
                Item={
                    **self._key(index),
                    "holder": run_id,
                    "executionArn": execution_arn,
                    "acquiredMs": now_ms,
                    "leaseExpiresMs": now_ms + self._lease_ms,
                },
                ConditionExpression="attribute_not_exists(holder) OR leaseExpiresMs <= :now",
                ExpressionAttributeValues={":now": now_ms},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _free(self, slot: Slot) -> bool:
        try:
            self._table.update_item(
                Key=self._key(slot.index),
                UpdateExpression="REMOVE holder, executionArn, acquiredMs, leaseExpiresMs",
                ConditionExpression="holder = :run",
                ExpressionAttributeValues={":run": slot.holder},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False  # someone else freed or took it meanwhile
            raise
        return True

    def _all(self) -> list[Slot]:
        items = self._table.query(KeyConditionExpression=Key("pk").eq(self._pk), ConsistentRead=True)["Items"]
        return [
            Slot(
                index=int(item["sk"].removeprefix("SLOT#")),
                holder=item.get("holder"),
                execution_arn=item.get("executionArn"),
                acquired_ms=int(item.get("acquiredMs", 0)),
                lease_expires_ms=int(item.get("leaseExpiresMs", 0)),
            )
            for item in items
        ]

    def _key(self, index: int) -> dict[str, str]:
        return {"pk": self._pk, "sk": f"SLOT#{index:04d}"}
