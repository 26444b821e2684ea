"""The queue consumer: valid requests queue runs, invalid ones go to the DLQ with the reason."""

from __future__ import annotations

import json

import boto3

from conveyor.dead_letter import REASON_ATTRIBUTE
from conveyor.demo_task import flow
from conveyor.durable.store import task_store

from ..conftest import load_handler
from .conftest import FakeLambdaContext, sqs_event

intake = load_handler("demo_task_intake")


def waiting_runs() -> list[tuple[str, int]]:
    return [(run.task_id, run.run) for run in flow.waiting_list().in_order()]


def messages(queue_url: str) -> list[dict]:
    sqs = boto3.client("sqs")
    response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    return response.get("Messages", [])


def test_a_valid_request_queues_a_run_and_asks_for_a_dispatch(cloud: dict) -> None:
    response = intake.handler(sqs_event(json.dumps({"taskId": "t-1", "priority": 10})), FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    assert waiting_runs() == [("t-1", 1)]
    task = task_store().get_task("t-1")
    assert (task["status"], task["run"], task["request"]["priority"]) == ("QUEUED", 1, 10)
    [wake] = messages(cloud["dispatch_queue_url"])
    assert json.loads(wake["Body"])["flow"] == "demo-task"


def test_the_same_request_twice_queues_one_run(cloud: dict) -> None:
    body = json.dumps({"taskId": "t-1"})
    intake.handler(sqs_event(body), FakeLambdaContext())
    intake.handler(sqs_event(body), FakeLambdaContext())
    assert waiting_runs() == [("t-1", 1)]


def test_force_queues_a_new_run(cloud: dict) -> None:
    intake.handler(sqs_event(json.dumps({"taskId": "t-1"})), FakeLambdaContext())
    intake.handler(sqs_event(json.dumps({"taskId": "t-1", "force": True})), FakeLambdaContext())
    assert sorted(waiting_runs()) == [("t-1", 1), ("t-1", 2)]
    assert task_store().get_task("t-1")["run"] == 2


def test_an_invalid_request_goes_to_the_dlq_with_the_field_and_queues_nothing(cloud: dict) -> None:
    bad = json.dumps({"priority": 900})
    response = intake.handler(sqs_event(bad, "not json"), FakeLambdaContext())

    assert response == {"batchItemFailures": []}  # handled: they must not be retried
    assert waiting_runs() == []
    reasons = {m["Body"]: m["MessageAttributes"][REASON_ATTRIBUTE]["StringValue"] for m in messages(cloud["dlq_url"])}
    assert "taskId: Field required" in reasons[bad]
    assert "priority: Input should be less than or equal to 600" in reasons[bad]
    assert "Invalid JSON" in reasons["not json"]


def test_a_failure_to_queue_is_reported_for_that_message_only(cloud: dict, monkeypatch) -> None:
    real_submit = intake.submit

    def submit_failing_for_t9(request, context):  # DynamoDB throttling one write, say
        if request.task_id == "t-9":
            raise RuntimeError("throttled")
        return real_submit(request, context)

    monkeypatch.setattr(intake, "submit", submit_failing_for_t9)
    event = sqs_event(json.dumps({"taskId": "t-1"}), json.dumps({"taskId": "t-9"}))

    response = intake.handler(event, FakeLambdaContext())

    assert response == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert waiting_runs() == [("t-1", 1)]
