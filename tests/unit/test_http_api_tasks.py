"""The task HTTP API, called with API Gateway REST events."""

from __future__ import annotations

import json

from ..conftest import load_handler
from .conftest import FakeLambdaContext, api_event

api = load_handler("http_api")


def call(method: str, path: str, body: object = None, **path_parameters: str) -> tuple[int, dict]:
    response = api.handler(api_event(method, path, body, path_parameters or None), FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def test_post_tasks_accepts_a_run(cloud: dict) -> None:
    status, body = call("POST", "/tasks", {"taskId": "t-1"})
    assert status == 202
    assert body["taskId"] == "t-1"
    assert body["duplicate"] is False
    assert body["executionArn"].endswith(":t-1")


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
    assert (body["taskId"], body["status"], body["run"]) == ("t-2", "QUEUED", 1)


def test_unknown_task_is_404(cloud: dict) -> None:
    status, body = call("GET", "/tasks/nope", task_id="nope")
    assert status == 404
    assert "nope" in body["message"]


def test_the_openapi_document_describes_the_routes(cloud: dict) -> None:
    status, body = call("GET", "/openapi.json")
    assert status == 200
    assert {"/tasks", "/tasks/{task_id}"} <= set(body["paths"])
