"""Probe handlers for the platform-behaviour tests: they record what happened
to them in the probe table, so a test can assert what the platform did."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import boto3

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


def sleep(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    if event.get("record"):
        _record("sleeping", {"seconds": str(event.get("seconds", 5))})
    time.sleep(float(event.get("seconds", 5)))
    return {"slept": event.get("seconds", 5)}


def tick(event: dict[str, Any], _context: Any) -> None:
    _record("tick", {"schedule": ",".join(event.get("resources", [])) or str(event.get("Resources", ""))})


def _record(kind: str, fields: dict[str, Any]) -> None:
    _table.put_item(Item={"kind": kind, "id": f"{time.time():.6f}-{uuid.uuid4().hex[:8]}", **fields})
