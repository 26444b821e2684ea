"""Evaluation runs end to end on the local cloud, through GraphQL at POST /graphql with the
developer's token: a sample definition run to completion with its progress per model, a
run paused (its jobs stop starting) and resumed to completion, a run cancelled, and
refusals that name the field."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from localcloud.runner import CloudProcess

from ...conftest import wait_for

RUN_FIELDS = "id status progress { total completed failed percentComplete byModel { model total completed } }"


def graphql(cloud: CloudProcess, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(
        cloud.settings.api_url + "/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"content-type": "application/json", "Authorization": f"Bearer {cloud.token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def data(cloud: CloudProcess, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = graphql(cloud, query, variables)
    assert "errors" not in body, body
    return body["data"]


def start_run(cloud: CloudProcess, **run: Any) -> dict[str, Any]:
    query = f"mutation($input: StartRunInput!) {{ startRun(input: $input) {{ {RUN_FIELDS} }} }}"
    return data(cloud, query, {"input": run})["startRun"]


def run_of(cloud: CloudProcess, run_id: str) -> dict[str, Any]:
    return data(cloud, f"query($id: ID!) {{ run(id: $id) {{ {RUN_FIELDS} }} }}", {"id": run_id})["run"]


def act(cloud: CloudProcess, mutation: str, run_id: str) -> dict[str, Any]:
    return data(cloud, f"mutation($id: ID!) {{ {mutation}(id: $id) {{ {RUN_FIELDS} }} }}", {"id": run_id})[mutation]


def test_a_sample_run_completes_with_its_progress_per_model(cloud: CloudProcess) -> None:
    definitions = data(cloud, "{ definitions { id } }")["definitions"]
    assert "sample-smoke" in {definition["id"] for definition in definitions}

    run = start_run(cloud, definitionId="sample-smoke", models=["local/alpha", "local/beta"], sampleSeed=7)
    assert run["progress"]["total"] == 20  # 10 scenarios × 2 models

    finished = wait_for(
        lambda: (current := run_of(cloud, run["id"]))["status"] == "COMPLETED" and current,
        timeout=120,
        what="the run to complete",
    )
    assert finished["progress"]["completed"] + finished["progress"]["failed"] == 20
    assert finished["progress"]["percentComplete"] == 100
    assert sorted(model["model"] for model in finished["progress"]["byModel"]) == ["local/alpha", "local/beta"]
    assert all(model["total"] == 10 for model in finished["progress"]["byModel"])


def test_a_paused_run_starts_no_job_until_resumed(cloud: CloudProcess) -> None:
    run = start_run(cloud, definitionId="sample-quality", models=["local/gamma"], sampleSeed=3)
    paused = act(cloud, "pauseRun", run["id"])
    assert paused["status"] == "PAUSED"
    # Jobs released before the pause finish; then nothing moves while it stays paused.
    settled = wait_for(
        lambda: (first := run_of(cloud, run["id"]))["progress"] == run_of(cloud, run["id"])["progress"] and first,
        what="the paused run to settle",
    )
    assert settled["status"] == "PAUSED"

    assert act(cloud, "resumeRun", run["id"])["status"] in ("RUNNING", "PENDING", "COMPLETED")
    finished = wait_for(
        lambda: (current := run_of(cloud, run["id"]))["status"] == "COMPLETED" and current,
        timeout=120,
        what="the resumed run to complete",
    )
    assert finished["progress"]["completed"] + finished["progress"]["failed"] == finished["progress"]["total"]


def test_a_cancelled_run_ends_cancelled_and_cannot_be_resumed(cloud: CloudProcess) -> None:
    run = start_run(cloud, definitionId="sample-quality", models=["local/delta", "local/epsilon"], sampleSeed=5)
    assert act(cloud, "cancelRun", run["id"])["status"] == "CANCELLED"

    body = graphql(cloud, "mutation($id: ID!) { resumeRun(id: $id) { id } }", {"id": run["id"]})
    assert body["errors"][0]["extensions"]["code"] == "RUN_STATE_ERROR", body
    assert run_of(cloud, run["id"])["status"] == "CANCELLED"


def test_refusals_name_the_field(cloud: CloudProcess) -> None:
    query = "mutation($input: StartRunInput!) { startRun(input: $input) { id } }"
    cases = {
        "models": {"definitionId": "sample-smoke", "models": []},
        "samplePercentage": {"definitionId": "sample-smoke", "models": ["local/a"], "samplePercentage": 0},
        "definitionId": {"definitionId": "no-such-definition", "models": ["local/a"]},
    }
    for field, run in cases.items():
        body = graphql(cloud, query, {"input": run})
        assert body.get("data") is None or body["data"].get("startRun") is None, body
        assert body["errors"][0]["extensions"]["field"].endswith(field), (field, body)


def test_retry_classes_a_429_is_retried_and_a_bad_request_is_not(cloud: CloudProcess) -> None:
    run = start_run(cloud, definitionId="sample-resilience", models=["local/zeta"])
    wait_for(
        lambda: run_of(cloud, run["id"])["status"] == "COMPLETED", timeout=180, what="the resilience run to complete"
    )
    query = (
        "query($id: ID!) { run(id: $id) {"
        " recentTasks(limit: 100) { scenarioId status attempts error { type retryable } } } }"
    )
    tasks = {task["scenarioId"]: task for task in data(cloud, query, {"id": run["id"]})["run"]["recentTasks"]}
    assert tasks["rate-limited"]["status"] == "COMPLETED" and tasks["rate-limited"]["attempts"] == 2
    assert tasks["network-blip"]["status"] == "COMPLETED" and tasks["network-blip"]["attempts"] == 2
    assert tasks["bad-request"]["status"] == "FAILED" and tasks["bad-request"]["attempts"] == 1
    assert tasks["bad-request"]["error"] == {"type": "RequestInvalid", "retryable": False}


def test_a_paused_queue_starts_nothing_and_resuming_drains_it(cloud: CloudProcess) -> None:
    status = "{ paused jobTypes { jobType paused consumerState } }"
    try:
        paused = data(cloud, f"mutation {{ pauseQueue {status} }}")["pauseQueue"]
        assert paused["paused"] and all(job_type["paused"] for job_type in paused["jobTypes"])
        assert data(cloud, f"mutation {{ pauseQueue {status} }}")["pauseQueue"]["paused"]  # idempotent
        wait_for(
            lambda: all(
                t["consumerState"] == "Disabled"
                for t in data(cloud, f"{{ queueStatus {status} }}")["queueStatus"]["jobTypes"]
            ),
            what="every worker mapping disabled",
        )
        run = start_run(cloud, definitionId="sample-smoke", models=["local/eta"], sampleSeed=1)
        reads = [run_of(cloud, run["id"])["progress"]["completed"] for _ in range(10)]
        assert reads == [0] * 10
    finally:
        resumed = data(cloud, f"mutation {{ resumeQueue {status} }}")["resumeQueue"]
    assert not resumed["paused"]
    wait_for(lambda: run_of(cloud, run["id"])["status"] == "COMPLETED", timeout=120, what="the queue to drain")


def test_an_unauthenticated_request_is_refused(cloud: CloudProcess) -> None:
    request = urllib.request.Request(
        cloud.settings.api_url + "/graphql",
        data=json.dumps({"query": "{ definitions { id } }"}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        assert error.code == 401
    else:
        raise AssertionError("answered without a token")
