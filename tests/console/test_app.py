"""The console's pages and actions against moto's AWS: refusals, clear errors, no tracebacks."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from starlette.testclient import TestClient

from console.settings import ConsoleSettings
from console.web.app import create_app

ROLE = "arn:aws:iam::123456789012:role/sfn"
DEFINITION = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 60, "End": True}}}


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def console(actions: bool, **settings: object) -> TestClient:
    app = create_app(ConsoleSettings(actions=actions, stack_name=None, api_url="http://127.0.0.1:9", **settings))
    return TestClient(app, raise_server_exceptions=False, follow_redirects=False)


def machine() -> str:
    sfn = boto3.client("stepfunctions")
    return sfn.create_state_machine(name="hold", definition=json.dumps(DEFINITION), roleArn=ROLE)["stateMachineArn"]


def test_a_read_only_console_refuses_actions_and_shows_none(aws: None) -> None:
    arn = machine()
    client = console(actions=False)

    page = client.get(f"/state-machines/{arn}")
    refused = client.post(f"/state-machines/{arn}/executions", data={"input": "{}"})

    assert page.status_code == 200 and "Start execution" not in page.text
    assert refused.status_code == 403 and "read-only" in refused.text
    assert boto3.client("stepfunctions").list_executions(stateMachineArn=arn)["executions"] == []


def test_an_action_asked_by_another_site_is_refused(aws: None) -> None:
    arn = machine()

    refused = console(actions=True).post(
        f"/state-machines/{arn}/executions", data={"input": "{}"}, headers={"origin": "http://evil.example"}
    )

    assert refused.status_code == 403 and "another site" in refused.text
    assert boto3.client("stepfunctions").list_executions(stateMachineArn=arn)["executions"] == []


def test_start_checks_the_input_is_json_then_starts_and_shows_the_execution(aws: None) -> None:
    arn = machine()
    client = console(actions=True)

    bad = client.post(f"/state-machines/{arn}/executions", data={"input": "{nope", "name": "run-1"})
    started = client.post(f"/state-machines/{arn}/executions", data={"input": '{"a": 1}', "name": "run-1"})

    assert bad.status_code == 400 and "not JSON" in bad.text
    assert started.status_code == 303 and started.headers["location"].startswith("/executions/")
    [execution] = boto3.client("stepfunctions").list_executions(stateMachineArn=arn)["executions"]
    assert execution["name"] == "run-1"
    page = client.get(started.headers["location"])
    assert page.status_code == 200 and "run-1" in page.text and 'data-node="Hold"' in page.text


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/executions/arn:aws:states:us-east-1:123456789012:execution:hold:nope", 404, "ExecutionDoesNotExist"),
        ("/state-machines/{machine}?status=DONE", 400, "status must be one of"),
        ("/state-machines/{machine}?token=garbage", 400, "not one the console made"),
        ("/executions/{execution}?view=pie", 400, "view must be graph, table or events"),
        ("/tasks", 502, "did not answer"),
        ("/queues/no-such-queue", 404, "AWS answered"),
    ],
)
def test_bad_requests_get_a_clear_error_page_and_no_traceback(aws: None, path: str, status: int, says: str) -> None:
    arn = machine()
    execution = boto3.client("stepfunctions").start_execution(stateMachineArn=arn, name="e1")["executionArn"]

    page = console(actions=False).get(path.format(machine=arn, execution=execution))

    assert page.status_code == status and says in page.text
    assert "Traceback" not in page.text


def test_purge_needs_the_queue_name_typed_and_keeps_the_messages_otherwise(aws: None) -> None:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="keep-me")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="precious")
    client = console(actions=True)

    confirm = client.get("/queues/keep-me/purge")
    wrong = client.post("/queues/keep-me/purge", data={"confirm": "keep"})

    assert confirm.status_code == 200 and "cannot be undone" in confirm.text
    assert wrong.status_code == 400 and "nothing was deleted" in wrong.text
    assert (
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]["ApproximateNumberOfMessages"]
        == "1"
    )
    assert client.post("/queues/keep-me/purge", data={"confirm": "keep-me"}).status_code == 303
