"""Unit tests run against moto's in-process AWS (`mock_aws`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from conveyor import aws, settings
from conveyor.demo_task import submission
from conveyor.flow import limits

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


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """moto with the resources the demo task needs; their names are in the env, as on Lambda."""
    with mock_aws():
        clear_caches()
        resources = create_demo_task_resources()
        for name, value in {
            "TASKS_TABLE": resources["table"],
            "FLOW_TABLE": resources["flow_table"],
            "IDEMPOTENCY_TABLE": resources["idempotency_table"],
            "DEMO_TASK_STATE_MACHINE_ARN": resources["state_machine_arn"],
            "DEMO_TASK_DLQ_URL": resources["dlq_url"],
            "DISPATCH_QUEUE_URL": resources["dispatch_queue_url"],
            "DISPATCH_TIMER_QUEUE_URL": resources["dispatch_timer_queue_url"],
        }.items():
            monkeypatch.setenv(name, value)
        yield resources
        clear_caches()


def clear_caches() -> None:
    """Everything built once per Lambda process, built again for the next test."""
    aws.client.cache_clear()
    aws.dynamodb.cache_clear()
    settings.settings.cache_clear()
    limits.flow_limits.cache_clear()
    submission._idempotency_config.cache_clear()
    submission._submit_once.cache_clear()


def create_demo_task_resources() -> dict[str, str]:
    ddb = boto3.client("dynamodb", region_name=REGION)
    ddb.create_table(
        TableName="tasks",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "taskId", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "submittedAt", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "taskId", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byStatus",
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "submittedAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    for name, key in (("flow", [("pk", "HASH"), ("sk", "RANGE")]), ("idempotency", [("id", "HASH")])):
        ddb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": attribute, "AttributeType": "S"} for attribute, _ in key],
            KeySchema=[{"AttributeName": attribute, "KeyType": kind} for attribute, kind in key],
        )
    sqs = boto3.client("sqs", region_name=REGION)
    dlq_url = sqs.create_queue(QueueName="demo-task-dlq")["QueueUrl"]
    dispatch_queue_url = sqs.create_queue(QueueName="dispatch.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    dispatch_timer_queue_url = sqs.create_queue(QueueName="dispatch-timer")["QueueUrl"]
    role = boto3.client("iam", region_name=REGION).create_role(
        RoleName="sfn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )["Role"]["Arn"]
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    state_machine_arn = boto3.client("stepfunctions", region_name=REGION).create_state_machine(
        name="demo-task", definition=json.dumps(definition), roleArn=role
    )["stateMachineArn"]
    return {
        "table": "tasks",
        "flow_table": "flow",
        "idempotency_table": "idempotency",
        "dlq_url": dlq_url,
        "dispatch_queue_url": dispatch_queue_url,
        "dispatch_timer_queue_url": dispatch_timer_queue_url,
        "state_machine_arn": state_machine_arn,
    }


class FakeLambdaContext:
    function_name = "unit-test"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:unit-test"
    aws_request_id = "req-1"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def sqs_event(*bodies: str) -> dict[str, Any]:
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
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:demo-task",
                "awsRegion": REGION,
            }
            for index, body in enumerate(bodies)
        ]
    }


def api_event(method: str, path: str, body: Any = None, path_parameters: dict[str, str] | None = None) -> dict:
    return {
        "httpMethod": method,
        "path": path,
        "resource": path,
        "headers": {"content-type": "application/json"},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters,
        "requestContext": {"requestId": "api-req-1", "stage": "v1"},
        "body": None if body is None else (body if isinstance(body, str) else json.dumps(body)),
        "isBase64Encoded": False,
    }


@pytest.fixture
def jobs_cloud(cloud: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """moto with the job tables, queues (and DLQs) and bucket; their names in the env, as on Lambda."""
    from conveyor.jobs import queues, services
    from conveyor.jobs import settings as job_settings
    from conveyor.jobs.catalog import QueueName

    resources = create_job_resources([queue.value for queue in QueueName])
    monkeypatch.setenv("JOBS_TABLE", resources["jobs_table"])
    monkeypatch.setenv("JOB_DATA_TABLE", resources["data_table"])
    monkeypatch.setenv("JOB_DOCUMENTS_BUCKET", resources["bucket"])
    monkeypatch.setenv("JOB_QUEUE_PREFIX", "test-jobs")
    monkeypatch.setenv("JOB_BACKOFF_SECONDS", "60,300,900")
    monkeypatch.setenv("JOB_ORG_RUNNING_LIMIT", "2")
    caches = (job_settings.job_settings, services.services, queues.clear_caches)
    for clear in caches:
        getattr(clear, "cache_clear", clear)()
    yield resources
    for clear in caches:
        getattr(clear, "cache_clear", clear)()


def create_job_resources(queue_names: list[str]) -> dict[str, str]:
    ddb = boto3.client("dynamodb", region_name=REGION)
    indexes = {"byStatus": "status", "byType": "type", "byOrganization": "organizationId", "byCreated": "listKey"}
    ddb.create_table(
        TableName="jobs",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"} for name in ["id", "createdAt", *indexes.values()]
        ],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": key, "KeyType": "HASH"},
                    {"AttributeName": "createdAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index, key in indexes.items()
        ],
    )
    ddb.create_table(
        TableName="job-data",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in ("pk", "sk")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    )
    sqs = boto3.client("sqs", region_name=REGION)
    urls = {}
    for name in queue_names:
        dlq = sqs.create_queue(QueueName=f"test-jobs-{name}-dlq")["QueueUrl"]
        urls[f"{name}-dlq"] = dlq
        queue = sqs.create_queue(QueueName=f"test-jobs-{name}", Attributes={"VisibilityTimeout": "120"})
        urls[name] = queue["QueueUrl"]
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="job-documents")
    return {"jobs_table": "jobs", "data_table": "job-data", "bucket": "job-documents", **urls}


def received_record(queue_url: str) -> dict[str, Any]:
    """The next message of a moto queue as an SQS event record, with its real receipt handle."""
    sqs = boto3.client("sqs", region_name=REGION)
    [message] = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=1, AttributeNames=["All"], MessageAttributeNames=["All"]
    )["Messages"]
    attributes = {
        name: {"stringValue": value["StringValue"], "dataType": value["DataType"]}
        for name, value in message.get("MessageAttributes", {}).items()
    }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {"ApproximateReceiveCount": message["Attributes"]["ApproximateReceiveCount"]},
        "messageAttributes": attributes,
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:{queue_url.rsplit('/', 1)[-1]}",
        "awsRegion": REGION,
    }


def call_api(
    method: str, path: str, body: Any = None, query: dict[str, str] | None = None, **path_parameters: str
) -> tuple[int, Any]:
    """Call the HTTP API function as API Gateway would; returns (status, JSON body)."""
    from ..conftest import load_handler

    event = api_event(method, path, body, path_parameters or None)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {key: [value] for key, value in (query or {}).items()} or None
    response = load_handler("http_api").handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])
