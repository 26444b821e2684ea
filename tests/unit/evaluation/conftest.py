"""moto with what evaluation runs use, built from the templates' own definitions: the jobs
table from template.yaml, the evaluation table from stacks/evaluation.yaml, each job queue
(with its DLQ and lock) from the stack's job-queue components, the dispatcher's FIFO queue,
and a worker function with a mapping from each job queue (disabled: the queue is paused)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from moto import mock_aws

from conveyor.core.aws import AwsClients
from conveyor.jobs.worker import RetryScheduled
from evaluation.api import EvaluationApi
from evaluation.dispatcher import EvaluationDispatcher
from evaluation.release import PassReport
from evaluation.settings import ENV_PREFIX, ApiSettings, DispatcherSettings, WorkerSettings
from evaluation.wakeups import DispatchRequest
from evaluation.worker import EvaluationWorker

from ...template_resources import PROJECT_DIR, create_table, template
from ..conftest import REGION

EVALUATION_TEMPLATE = PROJECT_DIR / "stacks" / "evaluation.yaml"
STACK_PREFIX = "test"
QUEUE_PREFIX = f"{STACK_PREFIX}-evaluation"
WINDOW = 6


class ManualClock:
    def __init__(self, now: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class EvaluationResources:
    jobs_table: str
    table: str
    dispatch_queue_url: str
    worker_function: str
    queue_urls: dict[str, str] = field(default_factory=dict)  # by short name; "<queue>-dlq" for the DLQs

    @property
    def environment(self) -> dict[str, str]:
        """What stacks/evaluation.yaml gives its functions (one set for all of them here)."""
        return {
            "JOBS_TABLE": self.jobs_table,
            "JOB_QUEUE_PREFIX": QUEUE_PREFIX,
            "EVALUATION_TABLE": self.table,
            "EVALUATION_DISPATCH_QUEUE_URL": self.dispatch_queue_url,
            "EVALUATION_WORKER_FUNCTION": self.worker_function,
            "EVALUATION_RELEASE_WINDOW": str(WINDOW),
            "JOB_MAX_ATTEMPTS": "4",
            "JOB_BACKOFF_SECONDS": "5,10,20",
        }


def template_queues() -> dict[str, dict[str, Any]]:
    queues = {}
    for definition in template(EVALUATION_TEMPLATE)["Resources"].values():
        properties = definition.get("Properties", {})
        if definition["Type"] == "AWS::Serverless::Application":
            parameters = properties["Parameters"]
            name = parameters["QueueName"]["Fn::Sub"].replace("${StackPrefix}", STACK_PREFIX)
            queues[name.removeprefix(f"{QUEUE_PREFIX}-")] = parameters
    return queues


def _function_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


@pytest.fixture
def evaluation(monkeypatch: pytest.MonkeyPatch) -> Iterator[EvaluationResources]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        lam = boto3.client("lambda", region_name=REGION)
        role = boto3.client("iam", region_name=REGION).create_role(
            RoleName="worker", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
        )["Role"]["Arn"]
        worker = lam.create_function(
            FunctionName="evaluation-worker",
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": _function_zip()},
        )["FunctionName"]
        resources = EvaluationResources(
            jobs_table=create_table(dynamodb, "JobsTable"),
            table=create_table(dynamodb, "EvaluationTable", path=EVALUATION_TEMPLATE),
            dispatch_queue_url=sqs.create_queue(
                QueueName="dispatch.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"}
            )["QueueUrl"],
            worker_function=worker,
        )
        for queue, parameters in template_queues().items():
            name = f"{QUEUE_PREFIX}-{queue}"
            resources.queue_urls[f"{queue}-dlq"] = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
            attributes = {"VisibilityTimeout": str(parameters["VisibilityTimeout"])}
            resources.queue_urls[queue] = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=resources.queue_urls[queue], AttributeNames=["QueueArn"])
            # Disabled: moto would otherwise try to run the function (in Docker) at every send.
            lam.create_event_source_mapping(
                EventSourceArn=arn["Attributes"]["QueueArn"], FunctionName=worker, BatchSize=1, Enabled=False
            )
        for name, value in resources.environment.items():
            monkeypatch.setenv(name, value)
        yield resources


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def aws(evaluation: EvaluationResources) -> AwsClients:
    return AwsClients()


@pytest.fixture
def harness(evaluation: EvaluationResources, aws: AwsClients, clock: ManualClock) -> Harness:
    return Harness(evaluation, aws, clock)


def received_record(queue_url: str) -> dict[str, Any] | None:
    """The next message of a moto queue as an SQS event record (None when it is empty)."""
    sqs = boto3.client("sqs", region_name=REGION)
    messages = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=1, AttributeNames=["All"], MessageAttributeNames=["All"]
    ).get("Messages", [])
    if not messages:
        return None
    [message] = messages
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {"ApproximateReceiveCount": message["Attributes"]["ApproximateReceiveCount"]},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:{queue_url.rsplit('/', 1)[-1]}",
        "awsRegion": REGION,
    }


def messages_in(queue_url: str) -> int:
    attributes = boto3.client("sqs", region_name=REGION).get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def dispatch_requests(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=REGION)
    found = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return found
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


class Harness:
    """The evaluation functions' objects on moto, driven by hand: the dispatcher's passes and
    the worker's deliveries happen when a test says (no event source mapping runs here)."""

    QUEUES = ("probe-scenario", "analyze-basic", "analyze-deep")

    def __init__(self, resources: EvaluationResources, aws: AwsClients, clock: ManualClock) -> None:
        self.resources = resources
        self.api = EvaluationApi(ApiSettings.from_environment(prefix=ENV_PREFIX), aws, clock)
        self.dispatcher_aws, self.worker_aws = AwsClients(), AwsClients()
        self.dispatcher = EvaluationDispatcher(
            DispatcherSettings.from_environment(prefix=ENV_PREFIX), self.dispatcher_aws, clock
        )
        self.worker = EvaluationWorker(WorkerSettings.from_environment(prefix=ENV_PREFIX), self.worker_aws, clock)
        self.clock = clock

    def dispatch(self, *runs: str, sweep: bool = False) -> PassReport:
        """One pass for the requests waiting on the dispatch queue (and `runs`)."""
        waiting = dispatch_requests(self.resources.dispatch_queue_url)
        requests = [DispatchRequest.model_validate(body) for body in waiting]
        requests.append(DispatchRequest(reason="sweep" if sweep else "test", runs=list(runs)))
        return self.dispatcher.dispatch(requests)

    def deliver(self, queue: str = "probe-scenario") -> str | None:
        """Hand the next message of `queue` to the worker; its outcome (None: the queue is empty).
        A retried attempt's RetryScheduled comes back as "RETRY_SCHEDULED"."""
        delivered = self.deliver_next(queue)
        return None if delivered is None else delivered[1]

    def deliver_next(self, queue: str = "probe-scenario") -> tuple[str, str] | None:
        """(the job id, the outcome) of the next message of `queue`; None when it is empty."""
        record = received_record(self.resources.queue_urls[queue])
        if record is None:
            return None
        job_id = json.loads(record["body"])["jobId"]
        try:
            return job_id, self.worker.handle(SQSRecord(record))
        except RetryScheduled:
            return job_id, "RETRY_SCHEDULED"
        finally:
            self.worker.end_batch()

    def drain(self, rounds: int = 200) -> list[str]:
        """Passes and deliveries until nothing moves; every outcome, in order."""
        outcomes: list[str] = []
        for _ in range(rounds):
            report = self.dispatch()
            delivered = [o for queue in self.QUEUES for o in iter(lambda q=queue: self.deliver(q), None)]
            outcomes += delivered
            if not delivered and not report.released and not report.completed:
                return outcomes
        raise AssertionError("the runs did not settle")
