"""The task API (conveyor.durable.routes) with the demo task's submission route, called with
API Gateway REST events as the Cognito authorizer passes them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from conveyor.core.aws import AwsClients
from conveyor.core.rest import rest_api
from conveyor.durable.routes import task_router
from demo_task.models import FLOW
from demo_task.routes import submission_router
from demo_task.settings import SubmissionSettings
from demo_task.submission import DemoTaskSubmission

from ..conftest import ADMIN, MEMBER, OTHER_MEMBER, DurableResources, FakeLambdaContext, api_event


@pytest.fixture
def app(durable: DurableResources) -> APIGatewayRestResolver:
    submission = DemoTaskSubmission(SubmissionSettings.from_environment(), AwsClients())
    app = rest_api("test")
    app.include_router(task_router(submission.flow.store, {FLOW: submission.replay}))
    app.include_router(submission_router(submission))
    return app


@pytest.fixture
def call(app: APIGatewayRestResolver):
    def call(method: str, path: str, body: Any = None, query=None, claims=MEMBER, **path_parameters: str):
        event = api_event(method, path, body, path_parameters or None, query, claims)
        response = app.resolve(event, FakeLambdaContext())
        return response["statusCode"], json.loads(response["body"])

    return call


def test_post_tasks_queues_a_run_for_the_callers_organization(call, durable: DurableResources) -> None:
    status, body = call("POST", "/tasks", {"taskId": "t-1"})
    assert (status, body) == (
        202,
        {"taskId": "t-1", "run": 1, "replay": 0, "executionName": "t-1", "status": "QUEUED", "duplicate": False},
    )
    status, task = call("GET", "/tasks/t-1", task_id="t-1")
    assert (status, task["organization"], task["status"], task["steps"]) == (200, "org-1", "QUEUED", [])


def test_a_second_post_answers_with_the_existing_run_and_force_queues_another(call) -> None:
    call("POST", "/tasks", {"taskId": "t-1"})
    status, body = call("POST", "/tasks", {"taskId": "t-1"})
    assert (status, body["run"], body["duplicate"]) == (202, 1, True)

    status, body = call("POST", "/tasks", {"taskId": "t-1", "force": True})
    assert (status, body["run"], body["executionName"], body["duplicate"]) == (202, 2, "t-1--run2", False)


def test_a_task_id_is_its_organizations(call) -> None:
    call("POST", "/tasks", {"taskId": "t-1"})
    for force in (False, True):  # neither the idempotency record nor the task is shared
        status, body = call("POST", "/tasks", {"taskId": "t-1", "force": force}, claims=OTHER_MEMBER)
        assert (status, body["code"], body["field"]) == (409, "CONFLICT", "taskId")
    status, body = call("GET", "/tasks/t-1", claims=OTHER_MEMBER, task_id="t-1")
    assert (status, body["code"]) == (403, "FORBIDDEN")
    assert call("POST", "/tasks/t-1/retry", claims=OTHER_MEMBER, task_id="t-1")[0] == 403
    assert call("GET", "/tasks/t-1", claims=ADMIN, task_id="t-1")[0] == 200


def test_without_an_identity_nothing_is_answered(call) -> None:
    for method, path, parameters in (("POST", "/tasks", {}), ("GET", "/tasks/t-1", {"task_id": "t-1"})):
        status, body = call(method, path, {"taskId": "t-1"}, claims=None, **parameters)
        assert (status, body["code"]) == (401, "UNAUTHENTICATED")


def test_post_tasks_names_the_wrong_fields(call) -> None:
    status, body = call("POST", "/tasks", {"taskId": "t-1", "priority": 700, "delayMs": "slow"})
    assert (status, body["code"]) == (422, "VALIDATION_ERROR")
    wrong = {tuple(error["loc"]): error["msg"] for error in body["detail"]}
    assert wrong[("body", "priority")] == "Input should be less than or equal to 600"
    assert ("body", "delayMs") in wrong


def test_unknown_task_is_404(call) -> None:
    status, body = call("GET", "/tasks/nope", task_id="nope")
    assert (status, body["code"], body["message"]) == (404, "NOT_FOUND", "no task 'nope'")


def test_tasks_are_listed_by_status_a_page_at_a_time_per_organization(call) -> None:
    for number in range(3):
        call("POST", "/tasks", {"taskId": f"t-{number}"})
    call("POST", "/tasks", {"taskId": "theirs"}, claims=OTHER_MEMBER)

    seen, token = [], None
    while True:
        query = {"status": "QUEUED", "limit": "2", **({"nextToken": token} if token else {})}
        status, page = call("GET", "/tasks", query=query)
        assert status == 200
        seen += [task["taskId"] for task in page["tasks"]]
        token = page.get("nextToken")
        if not token:
            break
    assert sorted(seen) == ["t-0", "t-1", "t-2"]
    status, everyone = call("GET", "/tasks", query={"status": "QUEUED"}, claims=ADMIN)
    assert sorted(task["taskId"] for task in everyone["tasks"]) == ["t-0", "t-1", "t-2", "theirs"]


def test_a_page_token_from_elsewhere_is_a_400_not_a_crash(call) -> None:
    for token in ("garbage", "eyJ0YXNrSWQiOiB7IlMiOiAieCJ9fQ"):
        status, body = call("GET", "/tasks", query={"status": "QUEUED", "nextToken": token})
        assert (status, body["code"], body["field"]) == (400, "BAD_REQUEST", "nextToken")


def test_retry_replays_only_a_failed_task(call, durable: DurableResources) -> None:
    call("POST", "/tasks", {"taskId": "t-1"})
    status, body = call("POST", "/tasks/t-1/retry", task_id="t-1")
    assert (status, body["code"]) == (409, "CONFLICT")
    assert "only a FAILED task can be replayed" in body["message"]
    assert call("POST", "/tasks/nope/retry", task_id="nope")[0] == 404
