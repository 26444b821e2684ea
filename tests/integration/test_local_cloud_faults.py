"""The local cloud under faults: Lambda workers SIGKILLed under load, the cloud itself
SIGKILLed mid-run (its workers must not outlive it, and acknowledged work must survive
the restart), and a closed terminal (SIGHUP) stopping it as Ctrl-C does."""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
from pathlib import Path
from typing import Any

from localcloud import deploy as deployer
from localcloud.runner import CloudProcess, session_processes

from ..conftest import wait_for
from .conftest import PLATFORM_TEMPLATE, ProbeStack, start_cloud
from .demo_tasks import api, unique


def workers_of(cloud: CloudProcess, function_name: str) -> list[int]:
    """Pids of `function_name`'s workers (MiniStack names each worker's folder after its function)."""
    processes = session_processes(cloud.process.pid)
    return [pid for pid in cloud.lambda_workers() if f"ministack-lambda-{function_name}-" in processes.get(pid, "")]


def test_a_killed_worker_fails_its_own_invocation_only_and_the_pool_carries_on(
    cloud: CloudProcess, probe: ProbeStack
) -> None:
    lambda_client, function = cloud.client("lambda"), probe["SlowFunctionName"]
    answers: list[dict[str, Any]] = []
    stop = threading.Event()

    def call_until_stopped() -> None:
        while not stop.is_set():
            response = lambda_client.invoke(FunctionName=function, Payload=json.dumps({"seconds": 0.2}))
            body = json.loads(response["Payload"].read())
            answers.append(body if "FunctionError" in response else {})

    callers = [threading.Thread(target=call_until_stopped) for _ in range(4)]
    for caller in callers:
        caller.start()
    kills, rng = 0, random.Random(7)
    try:
        for _ in range(8):
            workers = wait_for(lambda: workers_of(cloud, function), what="a worker of the function")
            os.kill(rng.choice(workers), signal.SIGKILL)
            kills += 1
            wait_for(lambda: len(answers) >= 4 * kills, what="invocations between kills")  # noqa: B023
    finally:
        stop.set()
        for caller in callers:
            caller.join()

    failures = [answer for answer in answers if answer]
    assert len(failures) <= kills, f"{len(failures)} of {len(answers)} invocations failed after {kills} kills"
    after = [lambda_client.invoke(FunctionName=function, Payload=json.dumps({"seconds": 0})) for _ in range(6)]
    assert all("FunctionError" not in response for response in after)


def test_a_sigkilled_cloud_leaves_no_worker_and_loses_no_acknowledged_work(tmp_path: Path) -> None:
    first = start_cloud(tmp_path / "state", persist=True)
    port, api_port = first.settings.port, first.settings.api_port
    try:
        probe = deployer.deploy(first.settings, template=PLATFORM_TEMPLATE, stack_name="platform-probe").outputs
        first.client("lambda").invoke(
            FunctionName=probe["SlowFunctionName"], InvocationType="Event", Payload=json.dumps({"seconds": 50})
        )
        jobs = [unique("kept-job") for _ in range(5)]
        for job_id in jobs:
            assert api(first, "POST", "/jobs", {"jobId": job_id, "type": "NOOP", "payload": {}})[0] == 202
        # Runs held in their Wait state (delayMs at the tests' wait scale: 6 s) when the cloud dies.
        tasks = [unique("kept-task") for _ in range(3)]
        for task_id in tasks:
            assert api(first, "POST", "/tasks", {"taskId": task_id, "delayMs": 60000})[0] == 202
        for job_id in jobs:
            wait_for(lambda: api(first, "GET", f"/jobs/{job_id}")[1]["status"] == "COMPLETED", what=job_id)  # noqa: B023
        for task_id in tasks:
            wait_for(lambda: api(first, "GET", f"/tasks/{task_id}")[1]["status"] == "RUNNING", what=task_id)  # noqa: B023
        acknowledged = time.time()
        state = tmp_path / "state" / "state"
        wait_for(
            lambda: all(
                (state / f"{service}.json").exists() and (state / f"{service}.json").stat().st_mtime > acknowledged
                for service in ("dynamodb", "stepfunctions")
            ),
            what="a snapshot taken after the work was acknowledged",
        )
        assert first.lambda_workers(), "a busy worker, to be orphaned by the kill"
    finally:
        first.process.send_signal(signal.SIGKILL)  # the cloud's process only, not its session
        first.process.wait()
    wait_for(lambda: first.lambda_workers() == [], timeout=15, what="the workers to exit with the cloud")

    second = start_cloud(tmp_path / "state", persist=True, port=port, api_port=api_port)
    try:
        for job_id in jobs:
            assert api(second, "GET", f"/jobs/{job_id}")[1]["status"] == "COMPLETED"
        # The runs in flight were aborted by the restart: each task ends FAILED, replayable.
        for task_id in tasks:
            wait_for(lambda: api(second, "GET", f"/tasks/{task_id}")[1]["status"] == "FAILED", what=task_id)  # noqa: B023
            assert api(second, "POST", f"/tasks/{task_id}/retry")[0] == 202
        for task_id in tasks:
            task: dict[str, Any] = wait_for(
                lambda: (body := api(second, "GET", f"/tasks/{task_id}")[1])["status"] == "SUCCEEDED" and body,  # noqa: B023
                what=f"{task_id} replayed",
            )
            assert all(count == 1 for count in task.get("counters", {}).values()), task
    finally:
        second.process.send_signal(signal.SIGHUP)  # a closed terminal: stopped as by Ctrl-C
        assert second.process.wait(timeout=60) == 0
    wait_for(lambda: session_processes(second.process.pid) == {}, timeout=15, what="nothing left of the cloud")
