"""The queue consumer: valid requests queue runs, invalid ones go to the DLQ with the reason."""

from __future__ import annotations

import json
from types import ModuleType

import pytest

from conveyor.core.aws import AwsClients
from conveyor.core.dead_letter import REASON_ATTRIBUTE
from conveyor.durable.flow import FlowSettings, FlowSubmitter
from conveyor.durable.records import TaskStatus

from ...conftest import load_handler
from ..conftest import DurableResources, FakeLambdaContext, messages, sqs_event


@pytest.fixture
def intake(durable: DurableResources) -> ModuleType:
    return load_handler("demo_task/intake")


@pytest.fixture
def flow(durable: DurableResources) -> FlowSubmitter:
    return FlowSubmitter(FlowSettings.from_environment(), AwsClients())


def waiting_runs(flow: FlowSubmitter) -> list[tuple[str, int]]:
    return [(run.task_id, run.run) for run in flow.waiting.in_order()]


def test_a_valid_request_queues_a_run_and_asks_for_a_dispatch(intake, flow, durable: DurableResources) -> None:
    event = sqs_event(json.dumps({"taskId": "t-1", "priority": 10}))
    event["Records"][0]["messageAttributes"] = {"organization": {"stringValue": "org-1", "dataType": "String"}}
    response = intake.handler(event, FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    assert waiting_runs(flow) == [("t-1", 1)]
    task = flow.store.get_task("t-1")
    assert (task.status, task.run, task.request["priority"], task.flow) == (TaskStatus.QUEUED, 1, 10, "demo-task")
    assert task.organization == "org-1"
    [wake] = messages(durable.dispatch_queue_url)
    assert json.loads(wake["Body"])["flow"] == "demo-task"


def test_the_same_request_twice_queues_one_run(intake, flow) -> None:
    body = json.dumps({"taskId": "t-1"})
    intake.handler(sqs_event(body), FakeLambdaContext())
    intake.handler(sqs_event(body), FakeLambdaContext())
    assert waiting_runs(flow) == [("t-1", 1)]


def test_a_submitter_that_died_before_its_idempotency_record_completed_is_not_repeated(intake, flow) -> None:
    """Issue 13: the run was queued, then the submitter died (no idempotency record); the
    client's retry, or SQS's redelivery, answers with that run instead of queueing run 2."""
    flow.queue_new_run({"taskId": "t-1"}, 0)  # what the dead submitter did

    intake.handler(sqs_event(json.dumps({"taskId": "t-1"})), FakeLambdaContext())

    assert waiting_runs(flow) == [("t-1", 1)]
    assert flow.store.get_task("t-1").run == 1


def test_force_queues_a_new_run(intake, flow) -> None:
    intake.handler(sqs_event(json.dumps({"taskId": "t-1"})), FakeLambdaContext())
    intake.handler(sqs_event(json.dumps({"taskId": "t-1", "force": True})), FakeLambdaContext())
    assert sorted(waiting_runs(flow)) == [("t-1", 1), ("t-1", 2)]
    assert flow.store.get_task("t-1").run == 2


def test_an_invalid_request_goes_to_the_dlq_with_the_field_and_queues_nothing(intake, flow, durable) -> None:
    bad = json.dumps({"priority": 900})
    unreachable = json.dumps({"taskId": "a/b#c"})
    response = intake.handler(sqs_event(bad, "not json", unreachable), FakeLambdaContext())

    assert response == {"batchItemFailures": []}  # handled: they must not be retried
    assert waiting_runs(flow) == []
    reasons = {m["Body"]: m["MessageAttributes"][REASON_ATTRIBUTE]["StringValue"] for m in messages(durable.dlq_url)}
    assert "taskId: Field required" in reasons[bad]
    assert "priority: Input should be less than or equal to 600" in reasons[bad]
    assert "Invalid JSON" in reasons["not json"]
    assert "taskId: String should match pattern" in reasons[unreachable]


def test_a_failure_to_queue_is_reported_for_that_message_only(intake, flow, monkeypatch) -> None:
    real_submit = intake.submission.submit

    def submit_failing_for_t9(request, organization, context):  # DynamoDB throttling one write, say
        if request.task_id == "t-9":
            raise RuntimeError("throttled")
        return real_submit(request, organization, context)

    monkeypatch.setattr(intake.submission, "submit", submit_failing_for_t9)
    event = sqs_event(json.dumps({"taskId": "t-1"}), json.dumps({"taskId": "t-9"}))

    response = intake.handler(event, FakeLambdaContext())

    assert response == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert waiting_runs(flow) == [("t-1", 1)]
