"""Figures of the local cloud: startup, demo-task end to end, SQS-to-handler
latency, and how long a handler edit takes to be live.

    make bench          (or: .venv/bin/python bench/local_cloud.py)

Each figure comes from a fresh local cloud on free ports (real time: no Step
Functions wait scaling). Prints a table; asserts nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from figures import summary, wait_until

from localcloud import deploy as deployer
from localcloud import runner
from localcloud.settings import PROJECT_DIR

BENCH_STACK = Path(__file__).parent / "stack"


def startup(work: Path, runs: int = 3) -> list[tuple[float, float]]:
    """(seconds until the ready banner, seconds the stack deploy took) per fresh start."""
    figures = []
    for index in range(runs):
        cloud = runner.start(work / f"startup-{index}")
        deploy_seconds = float(cloud.log().split(" in ")[1].split(" s)")[0])
        figures.append((cloud.ready_seconds, deploy_seconds))
        cloud.stop()
    return figures


def demo_task_end_to_end(cloud: runner.CloudProcess, runs: int = 30) -> dict[str, list[float]]:
    """Milliseconds from sending `{"taskId": ...}` (delayMs 0) to the queue, or POSTing
    it to /tasks, until the task record says SUCCEEDED. The first run of each
    starts every Lambda worker cold and is reported apart."""
    sqs = cloud.client("sqs")
    table = cloud.resource("dynamodb").Table(cloud.outputs["TasksTableName"])

    def submit_to_queue(task_id: str) -> None:
        sqs.send_message(QueueUrl=cloud.outputs["DemoTaskQueueUrl"], MessageBody=json.dumps({"taskId": task_id}))

    def submit_over_http(task_id: str) -> None:
        request = urllib.request.Request(
            cloud.settings.api_url + "/tasks",
            data=json.dumps({"taskId": task_id}).encode(),
            headers={"content-type": "application/json", "Authorization": f"Bearer {cloud.token}"},
        )
        urllib.request.urlopen(request).read()

    def one_run(submit: Any) -> float:
        task_id = f"bench-{uuid.uuid4().hex[:10]}"
        started = time.perf_counter()
        submit(task_id)
        wait_until(
            lambda: (
                (table.get_item(Key={"taskId": task_id, "sk": "TASK"}).get("Item") or {}).get("status") == "SUCCEEDED"
            )
        )
        return (time.perf_counter() - started) * 1000

    figures: dict[str, list[float]] = {}
    for name, submit in (("SQS", submit_to_queue), ("HTTP", submit_over_http)):
        figures[f"{name} cold"] = [one_run(submit)]
        figures[name] = [one_run(submit) for _ in range(runs)]
    return figures


def sqs_to_handler(cloud: runner.CloudProcess, bench: dict[str, str]) -> dict[str, list[float]]:
    """Milliseconds from SendMessage to the consumer handler running. A burst of
    60 first (it starts the mapping's 5 workers cold), then 300 sent 10 ms apart, then
    2,000 offered at 500 a second (SendMessageBatch of 10 every 20 ms)."""
    sqs = cloud.client("sqs")
    table = cloud.resource("dynamodb").Table(bench["LatencyTableName"])

    def latencies(messages: int, gap: float, per_send: int = 1) -> list[float]:
        for item in table.scan()["Items"]:
            table.delete_item(Key={"id": item["id"]})
        next_send = time.perf_counter()
        for _ in range(messages // per_send):
            body = json.dumps({"sentAt": time.time()})
            if per_send == 1:
                sqs.send_message(QueueUrl=bench["LatencyQueueUrl"], MessageBody=body)
            else:
                entries = [{"Id": str(i), "MessageBody": body} for i in range(per_send)]
                sqs.send_message_batch(QueueUrl=bench["LatencyQueueUrl"], Entries=entries)
            next_send += gap  # a steady offered rate: the time a send took is not added to the gap
            time.sleep(max(0.0, next_send - time.perf_counter()))
        items = wait_until(lambda: _all_items(table, messages), timeout=180, interval=0.5)
        return [float(item["latencyMs"]) for item in items]

    return {
        "burst, cold workers": latencies(60, 0),
        "warm, 10 ms apart": latencies(300, 0.01),
        "offered 500 messages/s": latencies(2000, 0.02, per_send=10),
    }


def _all_items(table: Any, expected: int) -> list[dict[str, Any]] | None:
    """Every item of `table` (a scan, page by page) once there are `expected` of them."""
    items, request = [], {}
    while True:
        page = table.scan(**request)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items if len(items) >= expected else None
        request = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def silent_invoke(cloud: runner.CloudProcess, bench: dict[str, str], invokes: int = 200) -> list[float]:
    """Milliseconds for a synchronous Invoke of a warm handler that prints nothing."""
    lam = cloud.client("lambda")
    lam.invoke(FunctionName=bench["EchoFunctionName"], Payload=b"{}")
    latencies = []
    for _ in range(invokes):
        started = time.perf_counter()
        lam.invoke(FunctionName=bench["EchoFunctionName"], Payload=b"{}")["Payload"].read()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def edit_to_live(cloud: runner.CloudProcess, work: Path) -> tuple[float, float]:
    """Seconds from saving a handler edit to the new code answering: deploy() in
    process, and the `python -m localcloud deploy` command on the project stack."""
    stack_dir = work / "edit-stack"
    shutil.copytree(BENCH_STACK, stack_dir)
    deployer.deploy(cloud.settings, template=stack_dir / "template.yaml", stack_name="bench-edit")
    outputs = deployer.stack_outputs(cloud.client("cloudformation"), "bench-edit")
    lam = cloud.client("lambda")

    def version() -> str:
        response = lam.invoke(FunctionName=outputs["EchoFunctionName"], Payload=b"{}")
        return json.loads(response["Payload"].read())["version"]

    assert version() == "v1"
    handler = stack_dir / "functions" / "app.py"
    started = time.perf_counter()
    handler.write_text(handler.read_text().replace('VERSION = "v1"', 'VERSION = "v2"'))
    deployer.deploy(cloud.settings, template=stack_dir / "template.yaml", stack_name="bench-edit")
    wait_until(lambda: version() == "v2", timeout=30)
    in_process = time.perf_counter() - started

    env = {  # the running cloud's, as a user who started it on other ports gives them to `make deploy`
        "LOCALCLOUD_PORT": str(cloud.settings.port),
        "LOCALCLOUD_QDRANT_PORT": str(cloud.settings.qdrant_port),
        "LOCALCLOUD_STATE_DIR": str(cloud.settings.state_dir),
    }
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "localcloud", "deploy"],
        cwd=PROJECT_DIR,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    command = time.perf_counter() - started
    return in_process, command


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="conveyor-bench-") as tmp:
        work = Path(tmp)
        starts = startup(work)
        cloud = runner.start(work / "main")
        try:
            bench = deployer.deploy(cloud.settings, template=BENCH_STACK / "template.yaml", stack_name="bench").outputs
            end_to_end = demo_task_end_to_end(cloud)
            latencies = sqs_to_handler(cloud, bench)
            invoke = silent_invoke(cloud, bench)
            in_process, command = edit_to_live(cloud, work)
        finally:
            cloud.stop()

    ready = [seconds for seconds, _ in starts]
    deploys = [seconds for _, seconds in starts]
    print("Conveyor local cloud (MiniStack), this machine")
    print(
        f"  {'startup to ready banner':<40}median {statistics.median(ready):5.2f} s   "
        f"(runs: {', '.join(f'{s:.2f}' for s in ready)}; stack deploy median {statistics.median(deploys):.2f} s)"
    )
    for name, values in end_to_end.items():
        print(f"  {'demo-task end to end, ' + name:<40}{summary(values)}")
    for name, values in latencies.items():
        print(f"  {'SQS to handler, ' + name:<40}{summary(values)}")
    print(f"  {'Invoke, warm handler printing nothing':<40}{summary(invoke)}")
    print(
        f"  {'handler edit to live':<40}{in_process:5.2f} s (deploy in process)   "
        f"{command:5.2f} s (`python -m localcloud deploy`, project stack)"
    )


if __name__ == "__main__":
    main()
