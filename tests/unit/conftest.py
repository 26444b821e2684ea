"""Unit tests run against moto's in-process AWS (`mock_aws`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ..template_resources import create_table

REGION = "us-east-1"

# Handler modules build Powertools' Logger/Metrics/Tracer when imported, so the
# environment Lambda would give them is set before any test module loads one.
os.environ.update(
    {
        "AWS_DEFAULT_REGION": REGION,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "ConveyorTest",
        "POWERTOOLS_SERVICE_NAME": "unit",
    }
)


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


class FakeLambdaContext:
    function_name = "unit-test"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:unit-test"
    aws_request_id = "req-1"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def sqs_event(*bodies: str, source_arn: str = "arn:aws:sqs:us-east-1:123456789012:queue") -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m-{index}",
                "receiptHandle": f"r-{index}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": source_arn,
                "awsRegion": REGION,
            }
            for index, body in enumerate(bodies)
        ]
    }


MEMBER = {"sub": "user-1", "custom:organization": "org-1", "cognito:groups": "[]"}
OTHER_MEMBER = {"sub": "user-2", "custom:organization": "org-2", "cognito:groups": "[]"}
ADMIN = {"sub": "admin-1", "custom:organization": "org-admin", "cognito:groups": "[admin]"}


def api_event(
    method: str,
    path: str,
    body: Any = None,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    claims: dict[str, str] | None = MEMBER,
) -> dict[str, Any]:
    """An API Gateway REST proxy event, as the Cognito authorizer passes it (`claims`; None: no identity)."""
    context: dict[str, Any] = {"requestId": "api-req-1", "stage": "v1", "path": f"/v1{path}"}
    if claims is not None:
        context["authorizer"] = {"claims": claims}
    return {
        "httpMethod": method,
        "path": path,
        "resource": path,
        "headers": {"content-type": "application/json"},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {key: [value] for key, value in (query or {}).items()} or None,
        "pathParameters": path_parameters,
        "requestContext": context,
        "body": None if body is None else (body if isinstance(body, str) else json.dumps(body)),
        "isBase64Encoded": False,
    }


@dataclass(frozen=True)
class DurableResources:
    """moto resources of one durable flow, named as the environment names them."""

    flow: str
    tasks_table: str
    flow_table: str
    idempotency_table: str
    dispatch_queue_url: str
    dispatch_timer_queue_url: str
    dlq_url: str
    state_machine_arn: str

    @property
    def environment(self) -> dict[str, str]:
        return {
            "FLOW_NAME": self.flow,
            "TASKS_TABLE": self.tasks_table,
            "FLOW_TABLE": self.flow_table,
            "IDEMPOTENCY_TABLE": self.idempotency_table,
            "DISPATCH_QUEUE_URL": self.dispatch_queue_url,
            "DISPATCH_TIMER_QUEUE_URL": self.dispatch_timer_queue_url,
            "DLQ_URL": self.dlq_url,
            "STATE_MACHINE_ARN": self.state_machine_arn,
        }


@pytest.fixture
def durable(monkeypatch: pytest.MonkeyPatch) -> Iterator[DurableResources]:
    """moto with the durable engine's tables (from template.yaml), a flow's queues and a
    state machine; their names in the environment, as the template gives a function."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        role = boto3.client("iam", region_name=REGION).create_role(
            RoleName="sfn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
        )["Role"]["Arn"]
        definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
        resources = DurableResources(
            flow="demo-task",
            tasks_table=create_table(dynamodb, "TasksTable"),
            flow_table=create_table(dynamodb, "FlowControlTable"),
            idempotency_table=create_table(dynamodb, "IdempotencyTable"),
            dispatch_queue_url=sqs.create_queue(QueueName="dispatch.fifo", Attributes={"FifoQueue": "true"})[
                "QueueUrl"
            ],
            dispatch_timer_queue_url=sqs.create_queue(QueueName="dispatch-timer")["QueueUrl"],
            dlq_url=sqs.create_queue(QueueName="demo-task-dlq")["QueueUrl"],
            state_machine_arn=boto3.client("stepfunctions", region_name=REGION).create_state_machine(
                name="demo-task", definition=json.dumps(definition), roleArn=role
            )["stateMachineArn"],
        )
        for name, value in resources.environment.items():
            monkeypatch.setenv(name, value)
        yield resources


def messages(queue_url: str) -> list[dict[str, Any]]:
    """What a queue holds now (received, so hidden for its visibility timeout)."""
    sqs = boto3.client("sqs", region_name=REGION)
    response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    return response.get("Messages", [])
