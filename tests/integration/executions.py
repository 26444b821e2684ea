"""Run a state machine definition on the local cloud and read its history, for
the Step Functions compat tests."""

from __future__ import annotations

import json
import uuid
from typing import Any

from ..conftest import wait_for
from .conftest import RunningCloud

ROLE_ARN = "arn:aws:iam::000000000000:role/compat-probe"


def create_machine(cloud: RunningCloud, definition: dict[str, Any]) -> str:
    sfn = cloud.client("stepfunctions")
    name = f"compat-{uuid.uuid4().hex[:10]}"
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE_ARN)["stateMachineArn"]


def start(cloud: RunningCloud, definition: dict[str, Any], execution_input: Any = None, **kwargs: Any) -> str:
    machine = create_machine(cloud, definition)
    response = cloud.client("stepfunctions").start_execution(
        stateMachineArn=machine, input=json.dumps(execution_input or {}), **kwargs
    )
    return response["executionArn"]


def finished(cloud: RunningCloud, execution_arn: str, timeout: float = 60) -> dict[str, Any]:
    sfn = cloud.client("stepfunctions")
    return wait_for(
        lambda: (e := sfn.describe_execution(executionArn=execution_arn))["status"] != "RUNNING" and e,
        timeout=timeout,
        what=f"execution {execution_arn.rsplit(':', 1)[-1]} to end",
    )


def run(
    cloud: RunningCloud, definition: dict[str, Any], execution_input: Any = None, timeout: float = 60
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Start an execution of `definition`, wait for its end: (DescribeExecution, history)."""
    execution = finished(cloud, start(cloud, definition, execution_input), timeout)
    return execution, history(cloud, execution["executionArn"])


def history(cloud: RunningCloud, execution_arn: str) -> list[dict[str, Any]]:
    pages = cloud.client("stepfunctions").get_paginator("get_execution_history")
    return [event for page in pages.paginate(executionArn=execution_arn) for event in page["events"]]


def types(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


def details(event: dict[str, Any]) -> dict[str, Any]:
    """An event's one `...EventDetails` member."""
    return next((value for key, value in event.items() if key.endswith("EventDetails")), {})


def chain(events: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    return [(event["id"], event["previousEventId"], event["type"]) for event in events]
