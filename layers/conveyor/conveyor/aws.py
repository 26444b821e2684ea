"""boto3 clients, created once per process.

boto3 picks the endpoint from `AWS_ENDPOINT_URL` when it is set, which is how
the same handlers reach MiniStack locally and AWS in the cloud.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3


@cache
def client(service: str) -> Any:
    return boto3.client(service)


@cache
def dynamodb() -> Any:
    """The DynamoDB resource: tables, and a client that takes plain Python values."""
    return boto3.resource("dynamodb")


def table(name: str) -> Any:
    return dynamodb().Table(name)
