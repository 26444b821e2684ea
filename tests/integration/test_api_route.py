"""http://127.0.0.1:3000 (localcloud.api_route): the stack's REST API served as AWS serves a
custom domain mapped to its stage."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from .conftest import RunningCloud
from .demo_tasks import api, finished_execution, unique


def get(cloud: RunningCloud, raw_path: str, token: str | None = "") -> tuple[int, str]:
    request = urllib.request.Request(cloud.settings.api_url + raw_path)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token or cloud.token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_openapi_document_names_the_server_that_answered_it(cloud: RunningCloud) -> None:
    status, body = get(cloud, "/openapi.json")
    assert status == 200
    assert json.loads(body)["servers"] == [{"url": "/"}]  # "Try it out" calls http://127.0.0.1:3000/tasks
    status, swagger = get(cloud, "/swagger")
    assert status == 200 and '"url": "/"' in swagger


def test_a_path_the_api_cannot_hold_is_refused_not_crashed_on(cloud: RunningCloud) -> None:
    for raw_path in ("/tasks/%C3%A9t%C3%A9", "/tasks/%E2%80%AEevil", "/tasks/" + "x" * 3000):
        status, body = get(cloud, raw_path)
        assert status in (404, 422), (raw_path, body)  # no such route, or an id no task can have
        assert json.loads(body)["code"] in ("NOT_FOUND", "VALIDATION_ERROR")
    # An encoded slash matches no route: API Gateway's own answer, in the routes' error shape.
    status, body = get(cloud, "/tasks/a%2Fb")
    assert (status, json.loads(body)["code"]) == (404, "NOT_FOUND")


def test_every_route_needs_a_token_but_the_documentation(cloud: RunningCloud) -> None:
    for path in ("/tasks?status=QUEUED", "/tasks/anything", "/jobs", "/jobs/stats"):
        for token in (None, "not-a-jwt", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"):
            status, body = get(cloud, path, token=token)
            assert (status, json.loads(body)["code"]) == (401, "UNAUTHENTICATED"), (path, token, body)
    assert get(cloud, "/openapi.json", token=None)[0] == 200
    assert get(cloud, "/swagger", token=None)[0] == 200


def test_an_execution_started_directly_is_a_task_of_the_api(cloud: RunningCloud) -> None:
    """What the ready banner's second command does: start-execution, then GET /tasks/<id>."""
    task_id = unique("direct")
    cloud.client("stepfunctions").start_execution(
        stateMachineArn=cloud.outputs["DemoTaskStateMachineArn"],
        name=task_id,
        input=json.dumps({"task": {"taskId": task_id}}),
    )
    assert finished_execution(cloud, task_id)["status"] == "SUCCEEDED"
    status, task = api(cloud, "GET", f"/tasks/{task_id}")
    assert (status, task["status"], task["flow"], task["result"]["taskId"]) == (200, "SUCCEEDED", "demo-task", task_id)


def test_graphql_answers_on_the_same_api_for_the_verified_caller(cloud: RunningCloud) -> None:
    status, body = api(cloud, "POST", "/graphql", {"query": "{ me { organization admin } }"})
    assert (status, body) == (200, {"data": {"me": {"organization": "local", "admin": True}}})
    status, body = api(cloud, "POST", "/graphql", {"query": "{ me { admin } }"}, token=None)
    assert (status, body["code"]) == (401, "UNAUTHENTICATED")
