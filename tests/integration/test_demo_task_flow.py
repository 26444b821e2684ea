"""Flow control of the demo task on the local cloud: idempotency, throttle,
concurrency, priority, replay and durability when Lambda workers are killed.

Limits are changed the way an operator would without a redeploy: by updating
the dispatcher function's environment (the template's parameters set the
defaults). Each test waits until no run holds a slot before changing them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localcloud.identity import LOCAL_ORGANIZATION

from ..conftest import wait_for
from .conftest import RunningCloud
from .demo_tasks import api, finished_execution, send_request, unique


def task(cloud: RunningCloud, task_id: str) -> dict[str, Any]:
    return api(cloud, "GET", f"/tasks/{task_id}")[1]


def finished_tasks(cloud: RunningCloud, task_ids: list[str], timeout: float = 90) -> list[dict[str, Any]]:
    def all_finished() -> list[dict[str, Any]] | None:
        tasks = [task(cloud, task_id) for task_id in task_ids]
        return tasks if all(t.get("status") in {"SUCCEEDED", "FAILED"} for t in tasks) else None

    return wait_for(all_finished, timeout=timeout, interval=0.25, what=f"{len(task_ids)} tasks to finish")


def ms(timestamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(timestamp).timestamp() * 1000


def held_slots(cloud: RunningCloud) -> int:
    flow_table = cloud.resource("dynamodb").Table(cloud.outputs["FlowControlTableName"])
    items = flow_table.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": "SLOTS#demo-task"})
    return sum(1 for item in items["Items"] if "holder" in item)


@contextlib.contextmanager
def flow_limits(cloud: RunningCloud, **variables: str) -> Iterator[None]:
    """Run the block with the dispatcher's FLOW_* variables changed, then restore them."""
    lam = cloud.client("lambda")
    name = cloud.outputs["DemoTaskDispatcherFunctionName"]
    wait_for(lambda: held_slots(cloud) == 0, timeout=60, what="earlier runs to end")
    original = lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {**original, **variables}})
    try:
        yield
    finally:
        wait_for(lambda: held_slots(cloud) == 0, timeout=90, what="this test's runs to end")
        lam.update_function_configuration(FunctionName=name, Environment={"Variables": original})


def test_a_duplicate_task_id_starts_one_run_and_force_starts_another(cloud: RunningCloud) -> None:
    task_id = unique("dup")
    send_request(cloud, {"taskId": task_id}, organization=LOCAL_ORGANIZATION)  # the developer's, as on the API
    send_request(cloud, {"taskId": task_id}, organization=LOCAL_ORGANIZATION)
    wait_for(lambda: api(cloud, "GET", f"/tasks/{task_id}")[0] == 200, what="the queued submission")
    # While the queue's submission is in progress a third one is answered 409
    # ("send it again"); once it is recorded, with the existing run.
    status, answer = wait_for(
        lambda: (reply := api(cloud, "POST", "/tasks", {"taskId": task_id}))[0] != 409 and reply,
        what="an answer other than 409",
    )
    assert (status, answer.get("duplicate"), answer.get("run")) == (202, True, 1), answer
    assert finished_execution(cloud, task_id)["status"] == "SUCCEEDED"

    status, forced = api(cloud, "POST", "/tasks", {"taskId": task_id, "force": True})
    assert (status, forced["duplicate"], forced["run"]) == (202, False, 2)
    assert finished_execution(cloud, forced["executionName"])["status"] == "SUCCEEDED"

    executions = cloud.client("stepfunctions").list_executions(
        stateMachineArn=cloud.outputs["DemoTaskStateMachineArn"]
    )["executions"]
    assert sorted(e["name"] for e in executions if e["name"].startswith(task_id)) == [task_id, f"{task_id}--run2"]


def test_the_throttle_never_lets_a_window_hold_more_starts_than_the_limit(cloud: RunningCloud) -> None:
    with flow_limits(cloud, FLOW_GLOBAL_THROTTLE_LIMIT="5", FLOW_GLOBAL_THROTTLE_PERIOD_SECONDS="2"):
        task_ids = [unique("throttled") for _ in range(12)]
        for task_id in task_ids:
            send_request(cloud, {"taskId": task_id})
        tasks = finished_tasks(cloud, task_ids)

    assert {t["status"] for t in tasks} == {"SUCCEEDED"}  # none dropped
    starts = sorted(ms(t["startedAt"]) for t in tasks)
    # Any 6 consecutive starts span at least the period: no 2 s window holds 6.
    assert all(later - earlier >= 2000 for earlier, later in zip(starts, starts[5:], strict=False))


def test_concurrency_caps_runs_in_flight_and_an_aborted_run_gives_its_slot_back(cloud: RunningCloud) -> None:
    sfn = cloud.client("stepfunctions")
    with flow_limits(cloud, FLOW_CONCURRENCY="2"):
        stuck = unique("aborted")
        send_request(cloud, {"taskId": stuck, "delayMs": 600_000})  # waits 60 s at the test's wait scale
        execution = wait_for(lambda: task(cloud, stuck).get("executionArn"), what="the long run to start")
        task_ids = [unique("capped") for _ in range(10)]
        for task_id in task_ids:
            send_request(cloud, {"taskId": task_id, "delayMs": 2000})
        sfn.stop_execution(executionArn=execution, error="Test.Abort", cause="killed mid-way by the test")
        tasks = finished_tasks(cloud, task_ids)

    assert {t["status"] for t in tasks} == {"SUCCEEDED"}
    spans = [(ms(t["startedAt"]), ms(t["finishedAt"])) for t in tasks]
    in_flight = [sum(1 for start, end in spans if start <= moment < end) for moment, _ in spans]
    assert max(in_flight) == 2
    # The aborted run never reached its last states: its task is FAILED, and can be replayed.
    aborted = wait_for(lambda: (t := task(cloud, stuck))["status"] == "FAILED" and t, what="the aborted task")
    assert aborted["error"]["type"] in ("Test.Abort", "ExecutionAborted")  # AWS names the StopExecution error
    status, replay = api(cloud, "POST", f"/tasks/{stuck}/retry")
    assert status == 202
    replay_arn = execution.replace(stuck, replay["executionName"])  # another 60 s wait: stop it, free its slot
    wait_for(lambda: task(cloud, stuck).get("executionArn") == replay_arn, what="the replay to start")
    sfn.stop_execution(executionArn=replay_arn)
    wait_for(lambda: held_slots(cloud) == 0, what="the replay's slot to be freed")


def test_waiting_runs_start_in_priority_order(cloud: RunningCloud) -> None:
    with flow_limits(cloud, FLOW_CONCURRENCY="1"):
        blocker = unique("blocker")
        send_request(cloud, {"taskId": blocker, "delayMs": 20_000})
        wait_for(lambda: task(cloud, blocker).get("startedAt"), what="the blocker to hold the only slot")
        by_priority = {priority: unique(f"p{priority}") for priority in (-300, 0, 300)}
        for priority, task_id in by_priority.items():
            assert api(cloud, "POST", "/tasks", {"taskId": task_id, "priority": priority})[0] == 202
        tasks = {
            priority: t
            for priority, t in zip(by_priority, finished_tasks(cloud, list(by_priority.values())), strict=True)
        }

    order = sorted(tasks, key=lambda priority: ms(tasks[priority]["startedAt"]))
    assert order == [300, 0, -300]


def test_a_failed_run_is_replayed_without_running_its_succeeded_steps_again(cloud: RunningCloud) -> None:
    task_id = unique("replayed")
    # Step 4's API is down for 6 attempts: the run (1 try + 5 retries) fails.
    send_request(cloud, {"taskId": task_id, "simulateFailure": True, "failAtStep": 4, "failTimes": 6})
    failed = finished_tasks(cloud, [task_id])[0]
    assert (failed["status"], failed["error"]["step"]) == ("FAILED", "simulate-api-call")

    status, replay = api(cloud, "POST", f"/tasks/{task_id}/retry")
    assert (status, replay["run"], replay["replay"]) == (202, 1, 1)
    assert finished_execution(cloud, replay["executionName"])["status"] == "SUCCEEDED"

    replayed = task(cloud, task_id)
    assert replayed["status"] == "SUCCEEDED"
    steps = {step["name"]: step for step in replayed["steps"]}
    assert {name: steps[name]["attempts"] for name in steps} == {
        "initialize": 1,
        "process": 1,
        "simulate-api-call": 7,
        "finalize": 1,
    }
    assert steps["initialize"]["reused"] == steps["process"]["reused"] == 1
    assert replayed["counters"]["processedCount"] == 1
    assert api(cloud, "POST", f"/tasks/{task_id}/retry")[0] == 409  # SUCCEEDED now


def test_runs_complete_and_apply_each_effect_once_while_workers_are_killed(cloud: RunningCloud) -> None:
    task_ids = [unique("chaos") for _ in range(6)]
    for task_id in task_ids:
        send_request(cloud, {"taskId": task_id, "delayMs": 15_000})  # 1.5 s at the test's wait scale
    wait_for(lambda: all(task(cloud, task_id).get("executionArn") for task_id in task_ids), what="the runs to start")

    killed = []
    for _ in range(3):  # every Lambda worker, three times while the runs go through their steps
        for pid in lambda_workers(cloud.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
        time.sleep(1.5)
    tasks = finished_tasks(cloud, task_ids, timeout=120)

    assert killed, "no Lambda worker was running to kill"
    assert {t["status"] for t in tasks} == {"SUCCEEDED"}
    assert {(t["counters"]["processedCount"], t["counters"]["apiCallCount"]) for t in tasks} == {(1, 1)}


def lambda_workers(parent_pid: int) -> list[int]:
    """MiniStack's warm Lambda worker processes under the local cloud `parent_pid`."""
    workers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == parent_pid and "_worker.py" in (entry / "cmdline").read_bytes().decode(errors="replace"):
                workers.append(int(entry.name))
    return workers


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"delayMs": 5}, "taskId"),
        ({"taskId": "bad-priority", "priority": 601}, "priority"),
        ({"taskId": "bad-types", "delayMs": "5", "simulateFailure": 1}, "delayMs"),
    ],
)
def test_a_bad_payload_is_refused_with_its_field_and_starts_nothing(cloud: RunningCloud, payload, field) -> None:
    status, body = api(cloud, "POST", "/tasks", payload)
    assert status == 422
    assert ["body", field] in [error["loc"] for error in body["detail"]]
    if "taskId" in payload:
        assert api(cloud, "GET", f"/tasks/{payload['taskId']}")[0] == 404
