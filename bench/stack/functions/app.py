"""Handlers of the benchmark stack."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import boto3

_table = boto3.resource("dynamodb").Table(os.environ["BENCH_TABLE"])
VERSION = "v1"


def record_latency(event: dict[str, Any], _context: Any) -> None:
    """SQS consumer: how long each message took from SendMessage to this handler."""
    now = time.time()
    with _table.batch_writer() as batch:
        for record in event["Records"]:
            sent = json.loads(record["body"])["sentAt"]
            batch.put_item(Item={"id": record["messageId"], "latencyMs": str(round((now - sent) * 1000, 3))})


def echo(_event: dict[str, Any], _context: Any) -> dict[str, str]:
    return {"version": VERSION}
