"""moto with what the content jobs run on, built from the templates' own definitions:
the jobs table from template.yaml, the data table from stacks/content-jobs.yaml, and
each queue (with its DLQ and lock duration) from the stack's job-queue components."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from moto import mock_aws

from content_jobs.api import ContentJobsApi
from content_jobs.catalog import REGISTRY, JobType, QueueName
from content_jobs.payloads import NoopPayload
from content_jobs.settings import WorkerSettings
from conveyor.core.aws import AwsClients
from conveyor.core.rest import rest_api
from conveyor.jobs.context import JobContext
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.queues import JobQueues
from conveyor.jobs.records import NewJob
from conveyor.jobs.registry import JobPayload
from conveyor.jobs.service import JobService
from conveyor.jobs.worker import JobWorker, Outcome

from ...template_resources import PROJECT_DIR, create_table, template
from ..conftest import MEMBER, REGION, FakeLambdaContext, api_event

CONTENT_JOBS_TEMPLATE = PROJECT_DIR / "stacks" / "content-jobs.yaml"
JOB_QUEUE_COMPONENT = "components/job-queue.yaml"
STACK_PREFIX = "test"
QUEUE_PREFIX = f"{STACK_PREFIX}-jobs"
ORG_RUNNING_LIMIT = 2
MAX_STALLS = 3
SUPPORTING = QueueName.SUPPORTING.value


class ManualClock:
    """A clock the test moves: seconds since the epoch."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class ContentJobsResources:
    jobs_table: str
    data_table: str
    bucket: str
    queue_urls: dict[str, str] = field(default_factory=dict)  # by short name; "<queue>-dlq" for the DLQs

    @property
    def environment(self) -> dict[str, str]:
        """What stacks/content-jobs.yaml gives its worker (and, in part, the others)."""
        return {
            "JOBS_TABLE": self.jobs_table,
            "JOB_QUEUE_PREFIX": QUEUE_PREFIX,
            "JOB_DATA_TABLE": self.data_table,
            "JOB_DOCUMENTS_BUCKET": self.bucket,
            "JOB_MAX_ATTEMPTS": "3",
            "JOB_MAX_STALLS": str(MAX_STALLS),
            "JOB_BACKOFF_SECONDS": "60,300,900",
            "JOB_ORG_RUNNING_LIMIT": str(ORG_RUNNING_LIMIT),
            "JOB_ORG_WAIT_SECONDS": "5",
        }


def template_queues() -> dict[str, dict[str, Any]]:
    """The stack's job-queue components: short queue name -> the component's parameters."""
    queues = {}
    for definition in template(CONTENT_JOBS_TEMPLATE)["Resources"].values():
        properties = definition.get("Properties", {})
        if definition["Type"] == "AWS::Serverless::Application" and properties["Location"] == JOB_QUEUE_COMPONENT:
            parameters = properties["Parameters"]
            name = parameters["QueueName"]["Fn::Sub"].replace("${StackPrefix}", STACK_PREFIX)
            queues[name.removeprefix(f"{QUEUE_PREFIX}-")] = parameters
    return queues


@pytest.fixture
def content_jobs(monkeypatch: pytest.MonkeyPatch) -> Iterator[ContentJobsResources]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        resources = ContentJobsResources(
            jobs_table=create_table(dynamodb, "JobsTable"),
            data_table=create_table(dynamodb, "JobDataTable", path=CONTENT_JOBS_TEMPLATE),
            bucket="documents",
        )
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=resources.bucket)
        for queue, parameters in template_queues().items():
            name = f"{QUEUE_PREFIX}-{queue}"
            dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
            resources.queue_urls[f"{queue}-dlq"] = dlq
            attributes = {"VisibilityTimeout": str(parameters["VisibilityTimeout"])}
            resources.queue_urls[queue] = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        for name, value in resources.environment.items():
            monkeypatch.setenv(name, value)
        yield resources


@pytest.fixture
def aws(content_jobs: ContentJobsResources) -> AwsClients:
    return AwsClients()


def received_record(queue_url: str) -> dict[str, Any]:
    """The next message of a moto queue as an SQS event record, with its real receipt handle."""
    [record] = received_records(queue_url, 1)
    return record


def received_records(queue_url: str, count: int) -> list[dict[str, Any]]:
    """The next `count` messages (at most 10) of a moto queue as SQS event records, as a
    mapping's batch, with their real receipt handles."""
    sqs = boto3.client("sqs", region_name=REGION)
    messages = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=count, AttributeNames=["All"], MessageAttributeNames=["All"]
    )["Messages"]
    assert len(messages) == count, f"{len(messages)} messages received, {count} expected"
    return [_event_record(queue_url, message) for message in messages]


def _event_record(queue_url: str, message: dict[str, Any]) -> dict[str, Any]:
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


def queue_attribute(queue_url: str, name: str) -> int:
    attributes = boto3.client("sqs", region_name=REGION).get_queue_attributes(QueueUrl=queue_url, AttributeNames=[name])
    return int(attributes["Attributes"][name])


def dead_letters(queue_url: str) -> list[dict[str, Any]]:
    response = boto3.client("sqs", region_name=REGION).receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )
    return response.get("Messages", [])


Behaviour = Callable[[JobContext], dict[str, Any]]


class Deliveries:
    """The supporting queue's worker, run one received message at a time."""

    def __init__(self, resources: ContentJobsResources, aws: AwsClients, clock: ManualClock) -> None:
        self.resources = resources
        self.settings = WorkerSettings.from_environment()
        self.aws = aws
        self.jobs = JobService.build(self.settings, aws, REGISTRY, clock)
        self.clock = clock
        self.receipts: list[str] = []

    @property
    def queue_url(self) -> str:
        return self.resources.queue_urls[SUPPORTING]

    def worker(self, behaviour: Behaviour | None = None) -> JobWorker:
        def run(payload: Any, job: JobContext) -> dict[str, Any]:
            job.checkpoint()
            return behaviour(job) if behaviour else {"echo": payload.echo}

        processors = {str(job_type): run for job_type in JobType}
        return JobWorker(self.jobs, processors, self.settings.retry_policy(), 2, 5, self.clock)

    def queue(self, job_id: str, org: str = "org-1", payload: JobPayload | None = None) -> None:
        """What POST /jobs does (with any payload: a producer may bypass the API's check)."""
        self.jobs.submit(NewJob(job_id, JobType.NOOP, org, payload or NoopPayload()))

    def deliver(self, behaviour: Behaviour | None = None) -> Outcome:
        record = received_record(self.queue_url)
        self.receipts.append(record["receiptHandle"])
        return self.worker(behaviour).handle(SQSRecord(record))

    def deliver_batch(self, count: int, behaviour: Behaviour | None = None) -> dict[str, Outcome | Exception]:
        """The next `count` messages as one batch: each delivery's outcome, by job id."""
        records = [SQSRecord(record) for record in received_records(self.queue_url, count)]
        outcomes = self.worker(behaviour).handle_batch(records)
        return {JobMessage.model_validate_json(record.body).job_id: outcomes[record.message_id] for record in records}

    def end_backoff(self) -> None:
        """End the backoff of the message just delivered now, instead of waiting for it."""
        boto3.client("sqs").change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=self.receipts[-1], VisibilityTimeout=0
        )

    def job(self, job_id: str) -> Any:
        return self.jobs.store.get(job_id)


@pytest.fixture
def deliveries(content_jobs: ContentJobsResources, aws: AwsClients) -> Deliveries:
    return Deliveries(content_jobs, aws, ManualClock())


class Sqs:
    """Whether SendMessage works: a test turns it off (a failing or unreachable SQS) and on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch

    def down(self) -> None:
        def refuse(*args: Any, **kwargs: Any) -> None:
            raise ConnectionError("SQS is not answering")

        self._monkeypatch.setattr(JobQueues, "send", refuse)

    def up(self) -> None:
        self._monkeypatch.undo()


@pytest.fixture
def sqs(monkeypatch: pytest.MonkeyPatch) -> Sqs:
    return Sqs(monkeypatch)


Call = Callable[..., tuple[int, Any]]


@pytest.fixture
def call(aws: AwsClients) -> Call:
    app = rest_api("Conveyor API")
    app.include_router(ContentJobsApi.from_environment(aws).router())

    def call(
        method: str,
        path: str,
        body: Any = None,
        query: dict[str, str] | None = None,
        claims: dict[str, str] | None = MEMBER,
        headers: dict[str, str] | None = None,
        **path_parameters: str,
    ) -> tuple[int, Any]:
        event = api_event(method, path, body, path_parameters or None, query, claims)
        event["headers"].update(headers or {})
        response = app.resolve(event, FakeLambdaContext())
        return response["statusCode"], json.loads(response["body"])

    return call


def create(call: Call, claims: dict[str, str] = MEMBER, **payload: object) -> str:
    status, body = call("POST", "/jobs", {"type": "NOOP", "payload": payload}, claims=claims)
    assert status == 202, body
    return body["id"]
