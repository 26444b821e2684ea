"""Figures of the durable demo task on the local cloud: submission latency and
sustained runs per second (concurrency 10, delayMs 0).

    .venv/bin/python bench/durable_tasks.py

Real time (no Step Functions wait scaling), a fresh local cloud on free ports.
"""

from __future__ import annotations

import json
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from figures import summary, wait_until

from localcloud import runner


def post_task(api_url: str, payload: dict) -> None:
    request = urllib.request.Request(
        api_url + "/tasks", data=json.dumps(payload).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 202


def submission_latency(cloud: runner.CloudProcess, submissions: int = 200) -> dict[str, list[float]]:
    """Milliseconds for POST /tasks to answer 202, and for SendMessage to the queue to return."""
    post_task(cloud.settings.api_url, {"taskId": f"warm-{uuid.uuid4().hex}"})  # start the API's worker
    http = []
    for _ in range(submissions):
        started = time.perf_counter()
        post_task(cloud.settings.api_url, {"taskId": f"lat-{uuid.uuid4().hex}"})
        http.append((time.perf_counter() - started) * 1000)
    sqs, queue = cloud.client("sqs"), cloud.outputs["DemoTaskQueueUrl"]
    queued = []
    for _ in range(submissions):
        started = time.perf_counter()
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"taskId": f"lat-{uuid.uuid4().hex}"}))
        queued.append((time.perf_counter() - started) * 1000)
    return {"POST /tasks (HTTP 202)": http, "SendMessage to the queue": queued}


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


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="conveyor-bench-") as tmp:
        cloud = runner.start(Path(tmp) / "cloud")
        try:
            # The first burst starts every Lambda worker the concurrency needs (cold starts).
            cold, _ = runs_per_second(cloud, 50)
            warm, submit_seconds = runs_per_second(cloud, 200)
            latencies = submission_latency(cloud)
        finally:
            cloud.stop()
    print("Durable demo task on the local cloud, this machine")
    for name, values in latencies.items():
        print(f"  {'submission, ' + name:<40}{summary(values)}")
    print(f"  {'runs/s, first 50 (workers start cold)':<40}{cold:5.1f} runs/s")
    print(
        f"  {'runs/s sustained (concurrency 10)':<40}{warm:5.1f} runs/s "
        f"(200 runs, delayMs 0, all submitted in {submit_seconds:.2f} s)"
    )


if __name__ == "__main__":
    main()
