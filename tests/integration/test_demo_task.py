"""The durable demo task end to end on the local cloud: queue and HTTP
submission, retries, memoized steps, failure events, bad payloads."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ..conftest import wait_for
from .conftest import RunningCloud
from .demo_tasks import api, finished_execution, send_request, unique


@pytest.fixture(scope="module")
def events(cloud: RunningCloud) -> Callable[[str, str], dict[str, Any]]:
    """Events published on the stack's bus, read from a queue a rule feeds."""
    sqs, bus = cloud.client("sqs"), cloud.client("events")
    queue_url = sqs.create_queue(QueueName="demo-task-events-tap")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus.put_rule(
        Name="demo-task-events-tap",
        EventBusName=cloud.outputs["EventBusName"],
        EventPattern=json.dumps({"source": ["conveyor.demo-task"]}),
    )
    bus.put_targets(
        Rule="demo-task-events-tap",
        EventBusName=cloud.outputs["EventBusName"],
        Targets=[{"Id": "tap", "Arn": queue_arn}],
    )
    seen: list[dict[str, Any]] = []

    def wait_for_event(detail_type: str, task_id: str) -> dict[str, Any]:
        def find() -> dict[str, Any] | None:
            for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
                seen.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            return next(
                (e for e in seen if e["detail-type"] == detail_type and e["detail"].get("taskId") == task_id), None
            )

        return wait_for(find, timeout=30, what=f"{detail_type} for {task_id}")

    return wait_for_event


def states_entered(cloud: RunningCloud, execution_arn: str) -> dict[str, int]:
    history = cloud.client("stepfunctions").get_execution_history(executionArn=execution_arn)["events"]
    counts: dict[str, int] = {}
    for event in history:
        if event["type"].endswith("StateEntered"):
            name = event["stateEnteredEventDetails"]["name"]
            counts[name] = counts.get(name, 0) + 1
    return counts


def test_a_queued_request_runs_all_five_steps_and_publishes_completed(cloud: RunningCloud, events) -> None:
    task_id = unique("ok")
    send_request(cloud, {"taskId": task_id, "delayMs": 1000})

    execution = finished_execution(cloud, task_id)

    assert execution["status"] == "SUCCEEDED"
    assert states_entered(cloud, execution["executionArn"]) == {
        "Initialize": 1,
        "Process": 1,
        "SimulateDelay": 1,
        "SimulateApiCall": 1,
        "Finalize": 1,
        "PublishTaskCompleted": 1,
        "RecordRunSucceeded": 1,
    }
    completed = events("demo/task.completed", task_id)["detail"]
    assert completed["status"] == "completed"
    assert set(completed["steps"]) == {"initialize", "process", "simulateApiCall"}
    assert completed["steps"]["initialize"]["delaySeconds"] == 1


def test_a_transient_failure_at_step_4_retries_only_step_4(cloud: RunningCloud) -> None:
    task_id = unique("flaky")
    send_request(cloud, {"taskId": task_id, "simulateFailure": True, "failAtStep": 4, "failTimes": 2})

    execution = finished_execution(cloud, task_id)

    assert execution["status"] == "SUCCEEDED"
    status, task = api(cloud, "GET", f"/tasks/{task_id}")
    assert status == 200 and task["status"] == "SUCCEEDED"
    attempts = {step["name"]: step["attempts"] for step in task["steps"]}
    assert attempts == {"initialize": 1, "process": 1, "simulate-api-call": 3, "finalize": 1}
    history = cloud.client("stepfunctions").get_execution_history(executionArn=execution["executionArn"])["events"]
    failed = [e["lambdaFunctionFailedEventDetails"]["error"] for e in history if e["type"] == "LambdaFunctionFailed"]
    assert failed == ["TransientError", "TransientError"]


def test_a_permanent_failure_fails_the_run_and_publishes_failed(cloud: RunningCloud, events) -> None:
    task_id = unique("broken")
    send_request(cloud, {"taskId": task_id, "simulateFailure": True, "failAtStep": 4})

    execution = finished_execution(cloud, task_id)

    assert execution["status"] == "FAILED"
    assert execution["error"] == "PermanentError"
    failed = events("demo/task.failed", task_id)["detail"]
    assert failed["failedStep"] == "simulate-api-call"
    assert failed["error"]["type"] == "PermanentError"
    assert failed["attempts"] == 1  # a permanent error is not retried
    _, task = api(cloud, "GET", f"/tasks/{task_id}")
    assert task["status"] == "FAILED"
    assert task["error"]["step"] == "simulate-api-call"


def test_retries_give_up_after_five(cloud: RunningCloud) -> None:
    task_id = unique("exhausted")
    send_request(cloud, {"taskId": task_id, "simulateFailure": True, "failAtStep": 2, "failTimes": 50})

    execution = finished_execution(cloud, task_id)

    assert (execution["status"], execution["error"]) == ("FAILED", "TransientError")
    _, task = api(cloud, "GET", f"/tasks/{task_id}")
    assert {step["name"]: step["attempts"] for step in task["steps"]} == {"initialize": 1, "process": 6}


def test_a_bad_request_on_the_queue_goes_to_the_dlq_with_the_reason(cloud: RunningCloud) -> None:
    marker = unique("bad")
    send_request(cloud, {"taskId": marker, "priority": 9000, "delayMs": "soon"})
    sqs = cloud.client("sqs")

    def in_dlq() -> dict[str, Any] | None:
        messages = sqs.receive_message(
            QueueUrl=cloud.outputs["DemoTaskDLQUrl"],
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            VisibilityTimeout=0,
        ).get("Messages", [])
        return next((m for m in messages if marker in m["Body"]), None)

    message = wait_for(in_dlq, timeout=30, what="the bad request in the DLQ")
    reason = message["MessageAttributes"]["ErrorReason"]["StringValue"]
    assert "priority: Input should be less than or equal to 600" in reason
    assert "delayMs: Input should be a valid integer" in reason
    executions = cloud.client("stepfunctions").list_executions(
        stateMachineArn=cloud.outputs["DemoTaskStateMachineArn"]
    )["executions"]
    assert marker not in {e["name"] for e in executions}


def test_the_http_api_accepts_reads_and_rejects(cloud: RunningCloud) -> None:
    task_id = unique("http")
    status, accepted = api(cloud, "POST", "/tasks", {"taskId": task_id})
    assert status == 202
    assert accepted["taskId"] == task_id and accepted["duplicate"] is False

    assert finished_execution(cloud, task_id)["status"] == "SUCCEEDED"
    status, task = api(cloud, "GET", f"/tasks/{task_id}")
    assert (status, task["status"], task["result"]["taskId"]) == (200, "SUCCEEDED", task_id)

    status, again = api(cloud, "POST", "/tasks", {"taskId": task_id})
    assert (status, again["duplicate"]) == (202, True)

    status, rejected = api(cloud, "POST", "/tasks", {"priority": -601})
    assert status == 422
    assert {tuple(error["loc"]) for error in rejected["detail"]} == {("body", "taskId"), ("body", "priority")}
    assert api(cloud, "GET", f"/tasks/{unique('missing')}")[0] == 404
