"""Platform behaviours Conveyor relies on, checked on the local cloud with the
probe stack (tests/integration/platform/template.yaml)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

from ..conftest import wait_for
from .conftest import ProbeStack, RunningCloud


def test_partial_batch_failure_redelivers_only_the_failed_messages(cloud: RunningCloud, probe: ProbeStack) -> None:
    sqs = cloud.client("sqs")
    queue = probe["PartialQueueUrl"]
    tag = uuid.uuid4().hex[:6]
    sqs.send_message_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": "good", "MessageBody": f"good-{tag}"},
            {"Id": "bad", "MessageBody": f"fail-{tag}"},
        ],
    )

    def deliveries() -> dict[str, list[int]]:
        counts: dict[str, list[int]] = {}
        for item in probe.deliveries(queue):
            if item["body"].endswith(tag):
                counts.setdefault(item["body"].split("-")[0], []).append(int(item["receiveCount"]))
        return counts

    # maxReceiveCount 2: the failing message is delivered twice, the good one once.
    seen = wait_for(
        lambda: (d := deliveries()).get("fail") == [1, 2] and d, timeout=20, what="the failed message's second delivery"
    )
    assert seen["good"] == [1]


def test_a_message_failing_max_receive_count_times_ends_in_the_dlq(cloud: RunningCloud, probe: ProbeStack) -> None:
    sqs = cloud.client("sqs")
    body = f"fail-dlq-{uuid.uuid4().hex[:6]}"
    sqs.send_message(QueueUrl=probe["PartialQueueUrl"], MessageBody=body)

    def in_dlq() -> list[dict]:
        messages = sqs.receive_message(
            QueueUrl=probe["PartialDLQUrl"], MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=0
        ).get("Messages", [])
        return [m for m in messages if m["Body"] == body]

    [message] = wait_for(in_dlq, timeout=20, what="the message in the DLQ")
    assert int(message["Attributes"]["ApproximateReceiveCount"]) >= 2


def test_maximum_concurrency_caps_concurrent_invocations(cloud: RunningCloud, probe: ProbeStack) -> None:
    sqs = cloud.client("sqs")
    queue = probe["ConcurrencyQueueUrl"]
    tag = uuid.uuid4().hex[:6]
    for batch in range(2):
        sqs.send_message_batch(
            QueueUrl=queue, Entries=[{"Id": str(i), "MessageBody": f"{tag}-{batch}-{i}"} for i in range(5)]
        )

    spans = wait_for(
        lambda: (
            len(
                s := [
                    (float(d["started"]), float(d["finished"]))
                    for d in probe.deliveries(queue)
                    if d["body"].startswith(tag)
                ]
            )
            == 10
            and s
        ),
        timeout=60,
        what="10 deliveries",
    )

    # The most handlers running at one moment: count spans open at each start.
    peak = max(sum(1 for start, end in spans if start <= moment < end) for moment, _ in spans)
    assert peak == 2  # MaximumConcurrency 2 is the limit, and it is reached


def test_a_handler_running_past_its_timeout_is_stopped(cloud: RunningCloud, probe: ProbeStack) -> None:
    lam = cloud.client("lambda")
    started = time.monotonic()
    response = lam.invoke(FunctionName=probe["SleepFunctionName"], Payload=json.dumps({"seconds": 5}))
    elapsed = time.monotonic() - started

    assert response["FunctionError"] == "Unhandled"
    assert "Task timed out after 1.00 seconds" in json.loads(response["Payload"].read())["errorMessage"]
    assert elapsed < 4.5  # stopped at the 1 s timeout, not after the handler's 5 s


def test_rate_and_cron_schedules_fire(cloud: RunningCloud, probe: ProbeStack) -> None:
    # rate(1 minute) fires a minute after creation; cron(* * * * ? *) at the
    # next minute boundary; the scheduler sweeps every 10 s.
    remaining = probe.deployed_at + 140 - time.time()
    ticks = wait_for(
        lambda: len(t := probe.records("tick")) >= 2 and t,
        timeout=max(remaining, 1),
        interval=1,
        what="both schedules to fire",
    )
    fired = {tick["schedule"] for tick in ticks}
    assert any("EveryMinute" in schedule for schedule in fired), fired
    assert any("CronEveryMinute" in schedule for schedule in fired), fired


def test_the_local_cloud_listens_on_loopback_only(cloud: RunningCloud) -> None:
    listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=True).stdout
    ours = [
        line.split()[3]
        for line in listening.splitlines()
        if line.split()[3].rsplit(":", 1)[-1] in {str(cloud.settings.port), str(cloud.settings.api_port)}
    ]
    assert sorted(ours) == sorted([f"127.0.0.1:{cloud.settings.port}", f"127.0.0.1:{cloud.settings.api_port}"])


def test_a_second_up_on_the_same_ports_says_it_is_already_running(cloud: RunningCloud) -> None:
    env = {
        **os.environ,
        "LOCALCLOUD_PORT": str(cloud.settings.port),
        "LOCALCLOUD_API_PORT": str(cloud.settings.api_port),
        "LOCALCLOUD_STATE_DIR": str(cloud.settings.state_dir),
    }
    second = subprocess.run(
        [sys.executable, "-m", "localcloud", "up"], env=env, capture_output=True, text=True, timeout=30
    )
    assert second.returncode == 1
    assert "already running" in second.stderr
