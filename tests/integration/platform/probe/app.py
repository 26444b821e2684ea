"""Probe handlers for the platform-behaviour tests: they record what happened
to them in the probe table, so a test can assert what the platform did."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

_table = boto3.resource("dynamodb").Table(os.environ["PROBE_TABLE"])


class ProbeNamedError(Exception):
    """Raised by `fail_named`; the state machine retries and catches it by name."""


def fail_named(event: dict[str, Any], _context: Any) -> None:
    _record("fail_named", {"input": str(event)})
    raise ProbeNamedError("failing on purpose")


def consume(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    """SQS consumer: records every delivery and its time span; bodies containing
    "fail" are reported as batch item failures."""
    started = time.time()
    time.sleep(float(os.environ.get("PROBE_SECONDS", "0")))
    failures = []
    for record in event["Records"]:
        _record(
            "delivery",
            {
                "queue": record["eventSourceARN"].rsplit(":", 1)[-1],
                "body": record["body"],
                "messageId": record["messageId"],
                "receiveCount": int(record["attributes"]["ApproximateReceiveCount"]),
                "started": str(started),
                "finished": str(time.time()),
            },
        )
        if "fail" in record["body"]:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def consume_reporting_handles(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """`consume`, reporting its failures the wrong way: by receipt handle, not by
    messageId (a malformed batchItemFailures answer)."""
    answer = consume(event, context)
    handles = {record["messageId"]: record["receiptHandle"] for record in event["Records"]}
    failed = [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]
    return {"batchItemFailures": [{"itemIdentifier": handles[message_id]} for message_id in failed]}


def flaky(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    """Fails its first `failures` calls for `key`, then succeeds; every call is recorded."""
    kind = f"flaky-{event['key']}"
    calls = len(_table.query(KeyConditionExpression=Key("kind").eq(kind), ConsistentRead=True)["Items"])
    _record(kind, {"call": calls + 1})
    if calls < int(event.get("failures", 0)):
        raise ProbeNamedError(f"call {calls + 1} of {event['key']} fails")
    return {"key": event["key"], "call": calls + 1}


def big_result(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    return {"data": "a" * int(event["bytes"])}


def sleep(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    if event.get("record"):
        _record("sleeping", {"seconds": str(event.get("seconds", 5))})
    time.sleep(float(event.get("seconds", 5)))
    return {"slept": event.get("seconds", 5)}


def tick(event: dict[str, Any], _context: Any) -> None:
    _record("tick", {"schedule": ",".join(event.get("resources", [])) or str(event.get("Resources", ""))})


def _record(kind: str, fields: dict[str, Any]) -> None:
    _table.put_item(Item={"kind": kind, "id": f"{time.time():.6f}-{uuid.uuid4().hex[:8]}", **fields})
