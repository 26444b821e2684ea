"""The queue consumer: valid requests start runs, invalid ones go to the DLQ with the reason."""

from __future__ import annotations

import json

import boto3

from conveyor.dead_letter import REASON_ATTRIBUTE
from conveyor.durable.store import task_store

from ..conftest import load_handler
from .conftest import FakeLambdaContext, sqs_event

intake = load_handler("demo_task_intake")


def executions(cloud: dict) -> list[dict]:
    sfn = boto3.client("stepfunctions")
    return sfn.list_executions(stateMachineArn=cloud["state_machine_arn"])["executions"]


def dead_letters(cloud: dict) -> list[dict]:
    sqs = boto3.client("sqs")
    response = sqs.receive_message(QueueUrl=cloud["dlq_url"], MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    return response.get("Messages", [])


def test_a_valid_request_starts_a_run_named_after_the_task(cloud: dict) -> None:
    response = intake.handler(sqs_event(json.dumps({"taskId": "t-1", "priority": 10})), FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    [execution] = executions(cloud)
    assert execution["name"] == "t-1"
    task = task_store().get_task("t-1")
    assert task["executionArn"] == execution["executionArn"]
    assert task["request"]["priority"] == 10


def test_the_same_request_twice_starts_one_run(cloud: dict) -> None:
    body = json.dumps({"taskId": "t-1"})
    intake.handler(sqs_event(body, body), FakeLambdaContext())
    assert len(executions(cloud)) == 1


def test_an_invalid_request_goes_to_the_dlq_with_the_field_and_starts_nothing(cloud: dict) -> None:
    bad = json.dumps({"priority": 900})
    response = intake.handler(sqs_event(bad, "not json"), FakeLambdaContext())

    assert response == {"batchItemFailures": []}  # handled: they must not be retried
    assert executions(cloud) == []
    reasons = {m["Body"]: m["MessageAttributes"][REASON_ATTRIBUTE]["StringValue"] for m in dead_letters(cloud)}
    assert "taskId: Field required" in reasons[bad]
    assert "priority: Input should be less than or equal to 600" in reasons[bad]
    assert "Invalid JSON" in reasons["not json"]


def test_a_failure_to_start_is_reported_for_that_message_only(cloud: dict, monkeypatch) -> None:
    real_submit = intake.submit

    def submit_failing_for_t9(request):  # Step Functions throttling one StartExecution, say
        if request.task_id == "t-9":
            raise RuntimeError("throttled")
        return real_submit(request)

    monkeypatch.setattr(intake, "submit", submit_failing_for_t9)
    event = sqs_event(json.dumps({"taskId": "t-1"}), json.dumps({"taskId": "t-9"}))

    response = intake.handler(event, FakeLambdaContext())

    assert response == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert [e["name"] for e in executions(cloud)] == ["t-1"]
