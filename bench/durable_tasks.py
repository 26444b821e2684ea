"""Figures of the durable demo task on the local cloud: submission latency and
sustained runs per second (concurrency 10, delayMs 0), beside the raw platform in the
same run: a state machine of five Lambda Task states that return their input, no flow
control, no records (bench/durable_platform), kept at the same 10 executions in flight.

    .venv/bin/python bench/durable_tasks.py

Real time (no Step Functions wait scaling), a fresh local cloud on free ports. Prints
figures with the CPU time of the local cloud's processes per run and the load average.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

from figures import Comparison, cloud_cpu_seconds, load_average, print_comparisons, summary, wait_until

from localcloud import deploy, runner

PLATFORM_STACK = Path(__file__).parent / "durable_platform" / "template.yaml"
IN_FLIGHT = 10  # the demo task's concurrency (stacks/demo-task.yaml)


def post_task(cloud: runner.CloudProcess, payload: dict) -> None:
    request = urllib.request.Request(
        cloud.settings.api_url + "/tasks",
        data=json.dumps(payload).encode(),
        headers={"content-type": "application/json", "Authorization": f"Bearer {cloud.token}"},
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 202


def submission_latency(cloud: runner.CloudProcess, phase: str, submissions: int = 200) -> dict[str, list[float]]:
    """Milliseconds for POST /tasks to answer 202 and for SendMessage to the queue to return."""
    post_task(cloud, {"taskId": f"warm-{uuid.uuid4().hex}"})  # a warm API worker
    http = []
    for _ in range(submissions):
        started = time.perf_counter()
        post_task(cloud, {"taskId": f"lat-{uuid.uuid4().hex}"})
        http.append((time.perf_counter() - started) * 1000)
    sqs, queue = cloud.client("sqs"), cloud.outputs["DemoTaskQueueUrl"]
    queued = []
    for _ in range(submissions):
        started = time.perf_counter()
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"taskId": f"lat-{uuid.uuid4().hex}"}))
        queued.append((time.perf_counter() - started) * 1000)
    return {f"POST /tasks, {phase}": http, f"SendMessage, {phase}": queued}


@contextlib.contextmanager
def held_runs(cloud: runner.CloudProcess) -> Iterator[None]:
    """The dispatcher holds every run (a global throttle of 1 start an hour), so
    only the submission path works; the held runs start when this ends."""
    lam, name = cloud.client("lambda"), cloud.outputs["DemoTaskDispatcherFunctionName"]
    original = lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    held = {**original, "FLOW_GLOBAL_THROTTLE_LIMIT": "1", "FLOW_GLOBAL_THROTTLE_PERIOD_SECONDS": "3600"}
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": held})
    try:
        yield
    finally:
        lam.update_function_configuration(FunctionName=name, Environment={"Variables": original})


def runs_per_second(cloud: runner.CloudProcess, runs: int) -> tuple[float, float]:
    """Submit `runs` tasks in batches of 10 and time them until every one SUCCEEDED."""
    table = cloud.resource("dynamodb").Table(cloud.outputs["TasksTableName"])
    sqs, queue = cloud.client("sqs"), cloud.outputs["DemoTaskQueueUrl"]
    prefix = f"tput-{uuid.uuid4().hex[:6]}"
    started = time.perf_counter()
    for first in range(0, runs, 10):
        entries = [
            {"Id": str(i), "MessageBody": json.dumps({"taskId": f"{prefix}-{i}"})}
            for i in range(first, min(first + 10, runs))
        ]
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)
    submitted = time.perf_counter() - started

    def all_succeeded() -> bool:
        query = {
            "IndexName": "byStatus",
            "KeyConditionExpression": "#s = :s",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":s": "SUCCEEDED"},
        }
        done, page = 0, table.query(**query)
        while True:
            done += sum(1 for item in page["Items"] if item["taskId"].startswith(prefix))
            if "LastEvaluatedKey" not in page:
                return done >= runs
            page = table.query(**query, ExclusiveStartKey=page["LastEvaluatedKey"])

    wait_until(all_succeeded, timeout=900, interval=0.5)
    elapsed = time.perf_counter() - started
    return runs / elapsed, submitted


def raw_runs_per_second(cloud: runner.CloudProcess, state_machine: str, runs: int) -> tuple[float, float]:
    """Runs/s of the five-step state machine kept at IN_FLIGHT executions, and the CPU
    milliseconds of the local cloud per run."""
    sfn = cloud.client("stepfunctions")
    prefix = f"raw-{uuid.uuid4().hex[:6]}"
    cpu = cloud_cpu_seconds(cloud)
    started_at, started, done = time.perf_counter(), 0, 0
    while done < runs:
        while started - done < IN_FLIGHT and started < runs:
            sfn.start_execution(stateMachineArn=state_machine, name=f"{prefix}-{started}", input="{}")
            started += 1
        time.sleep(0.02)
        done = sum(
            1
            for page in sfn.get_paginator("list_executions").paginate(
                stateMachineArn=state_machine, statusFilter="SUCCEEDED"
            )
            for execution in page["executions"]
            if execution["name"].startswith(prefix)
        )
    elapsed = time.perf_counter() - started_at
    return runs / elapsed, (cloud_cpu_seconds(cloud) - cpu) * 1000 / runs


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="conveyor-bench-") as tmp:
        cloud = runner.start(Path(tmp) / "cloud")
        try:
            platform = deploy.deploy(cloud.settings, template=PLATFORM_STACK, stack_name="bench-durable").outputs
            # The first burst starts every Lambda worker the concurrency needs (cold starts).
            cold, _ = runs_per_second(cloud, 50)
            with held_runs(cloud):
                latencies = submission_latency(cloud, "runs held")
            wait_until(lambda: not runs_in_flow(cloud), timeout=900, interval=1)  # the held runs are done
            cpu = cloud_cpu_seconds(cloud)
            warm, submit_seconds = runs_per_second(cloud, 200)
            conveyor_cpu_ms, conveyor_load = (cloud_cpu_seconds(cloud) - cpu) * 1000 / 200, load_average()
            raw_runs_per_second(cloud, platform["FiveStepsArn"], 50)  # its workers, warm
            raw, raw_cpu_ms = raw_runs_per_second(cloud, platform["FiveStepsArn"], 200)
            raw_load = load_average()
            latencies |= submission_latency(cloud, "runs execute")
        finally:
            cloud.stop()
    print("Durable demo task on the local cloud, this machine")
    for name, values in latencies.items():
        print(f"  {'submission, ' + name:<44}{summary(values)}")
    print(f"  {'runs/s, first 50 (workers start cold)':<44}{cold:5.1f} runs/s")
    print(f"  (200 runs, delayMs 0, all submitted in {submit_seconds:.2f} s)")
    print_comparisons(
        f"Demo-task runs per second at {IN_FLIGHT} in flight, 200 runs",
        [
            Comparison(
                "demo-task runs per second",
                warm,
                "5 Lambda states, no flow control",
                raw,
                "/s",
                cpu_ms=(conveyor_cpu_ms, raw_cpu_ms),
                load=max(conveyor_load, raw_load),
            )
        ],
    )


def runs_in_flow(cloud: runner.CloudProcess) -> int:
    """Runs waiting to start or holding a concurrency slot."""
    flow = cloud.resource("dynamodb").Table(cloud.outputs["FlowControlTableName"])

    def items(pk: str) -> list[dict]:
        return flow.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": pk})["Items"]

    return len(items("WAITING#demo-task")) + sum(1 for slot in items("SLOTS#demo-task") if "holder" in slot)


if __name__ == "__main__":
    main()
