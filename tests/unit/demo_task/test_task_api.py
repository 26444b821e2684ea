"""The task HTTP API, called with API Gateway REST events."""

from __future__ import annotations

import json
import sys

from conveyor.durable.store import task_store

from ..conftest import load_handler
from .conftest import FakeLambdaContext
from .conftest import call_api as call


def test_post_tasks_queues_a_run(cloud: dict) -> None:
    status, body = call("POST", "/tasks", {"taskId": "t-1"})
    assert status == 202
    assert body == {
        "taskId": "t-1",
        "run": 1,
        "replay": 0,
        "executionName": "t-1",
        "status": "QUEUED",
        "duplicate": False,
    }


def test_a_second_post_answers_with_the_existing_run(cloud: dict) -> None:
    call("POST", "/tasks", {"taskId": "t-1"})
    status, body = call("POST", "/tasks", {"taskId": "t-1"})
    assert (status, body["run"], body["duplicate"]) == (202, 1, True)

    status, body = call("POST", "/tasks", {"taskId": "t-1", "force": True})
    assert (status, body["run"], body["executionName"], body["duplicate"]) == (202, 2, "t-1--run2", False)


def test_post_tasks_names_the_wrong_fields(cloud: dict) -> None:
    status, body = call("POST", "/tasks", {"taskId": "t-1", "priority": 700, "delayMs": "slow"})
    assert status == 422
    wrong = {tuple(error["loc"]): error["msg"] for error in body["detail"]}
    assert wrong[("body", "priority")] == "Input should be less than or equal to 600"
    assert ("body", "delayMs") in wrong


def test_get_task_reports_its_status(cloud: dict) -> None:
    call("POST", "/tasks", {"taskId": "t-2"})
    status, body = call("GET", "/tasks/t-2", task_id="t-2")
    assert status == 200
    assert (body["taskId"], body["status"], body["run"], body["steps"]) == ("t-2", "QUEUED", 1, [])


def test_unknown_task_is_404(cloud: dict) -> None:
    status, body = call("GET", "/tasks/nope", task_id="nope")
    assert status == 404
    assert "nope" in body["message"]


def test_tasks_are_listed_by_status_a_page_at_a_time(cloud: dict) -> None:
    for number in range(3):
        call("POST", "/tasks", {"taskId": f"t-{number}"})

    status, first = call("GET", "/tasks", query={"status": "QUEUED", "limit": "2"})
    assert status == 200 and len(first["tasks"]) == 2 and first["nextToken"]
    _, second = call("GET", "/tasks", query={"status": "QUEUED", "limit": "2", "nextToken": first["nextToken"]})
    listed = [task["taskId"] for task in first["tasks"] + second["tasks"]]
    assert sorted(listed) == ["t-0", "t-1", "t-2"]

    assert call("GET", "/tasks", query={"status": "DONE"})[0] == 422
    assert call("GET", "/tasks", query={"status": "QUEUED", "nextToken": "garbage"})[0] == 400


def test_only_a_failed_task_can_be_retried(cloud: dict) -> None:
    assert call("POST", "/tasks/nope/retry", task_id="nope")[0] == 404
    call("POST", "/tasks", {"taskId": "t-3"})
    status, body = call("POST", "/tasks/t-3/retry", task_id="t-3")
    assert status == 409 and "QUEUED" in body["message"]

    task_store().record_failed("t-3", 1, "process", {"type": "X", "message": "boom"})
    status, body = call("POST", "/tasks/t-3/retry", task_id="t-3")
    assert status == 202
    assert (body["run"], body["replay"], body["executionName"]) == (1, 1, "t-3--replay1")
    assert task_store().get_task("t-3")["status"] == "QUEUED"


def test_the_openapi_document_describes_the_routes(cloud: dict) -> None:
    status, body = call("GET", "/openapi.json")
    assert status == 200
    assert {"/tasks", "/tasks/{task_id}", "/tasks/{task_id}/retry"} <= set(body["paths"])


def test_the_queue_and_the_api_share_one_idempotency_window(cloud: dict, monkeypatch) -> None:
    from conveyor.demo_task import submission

    from .conftest import sqs_event

    intake = load_handler("demo_task_intake")
    # Each function has its own process and name on Lambda.
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "intake")
    intake.handler(sqs_event(json.dumps({"taskId": "t-5"})), FakeLambdaContext())
    submission._submit_once.cache_clear()
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "http-api")

    status, body = call("POST", "/tasks", {"taskId": "t-5"})

    assert (status, body["run"], body["duplicate"]) == (202, 1, True)


def test_a_submission_while_another_of_the_same_task_is_in_progress_is_409(cloud: dict, monkeypatch) -> None:
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    from conveyor.durable.submission import ConcurrentSubmission

    routes = sys.modules[load_handler("http_api").task_routes.__name__]
    for error in (IdempotencyAlreadyInProgressError("in progress"), ConcurrentSubmission("t-6")):

        def busy(*_args, error=error):
            raise error

        monkeypatch.setattr(routes, "submit", busy)
        status, body = call("POST", "/tasks", {"taskId": "t-6"})
        assert (status, body["message"]) == (409, "another submission of this taskId is in progress; send it again")
