"""Integration tests run against the real local cloud: `python -m localcloud up`
started once per session on free ports, with the project's stack and a probe
stack (tests/integration/platform) deployed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key

from localcloud import deploy as deployer
from localcloud.settings import Settings

from ..conftest import PROJECT_DIR, wait_for

PLATFORM_TEMPLATE = Path(__file__).parent / "platform" / "template.yaml"
# Wait states and Retry intervals run at a tenth of real time: the tests check
# what happens, not how long it takes (bench/ measures that).
SFN_WAIT_SCALE = "0.1"
# Job backoff in seconds instead of minutes, a small per-organization limit and a
# short wait for a free slot, so the job tests see retries, the DLQ and the limit quickly.
JOB_PARAMETERS = "JobBackoffSeconds=1,2,3 JobOrgRunningLimit=3 JobOrgWaitSeconds=1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningCloud:
    settings: Settings
    process: subprocess.Popen
    log_path: Path
    outputs: dict[str, str] = field(default_factory=dict)
    probe: dict[str, str] = field(default_factory=dict)
    probe_deployed_at: float = 0.0

    def client(self, service: str) -> Any:
        return deployer.client(self.settings, service)

    def resource(self, service: str) -> Any:
        return boto3.resource(
            service,
            endpoint_url=self.settings.endpoint_url,
            region_name=self.settings.region,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


def start_cloud(state_dir: Path, persist: bool = True, port: int | None = None, api_port: int | None = None) -> RunningCloud:
    """Start `python -m localcloud up` and wait for the project's stack."""
    settings = Settings.from_env(
        port=port or free_port(),
        api_port=api_port or free_port(),
        state_dir=state_dir,
        persist=persist,
        sfn_wait_scale=float(SFN_WAIT_SCALE),
        stack_name="conveyor",
    )
    env = {
        **os.environ,
        "LOCALCLOUD_PORT": str(settings.port),
        "LOCALCLOUD_API_PORT": str(settings.api_port),
        "LOCALCLOUD_STATE_DIR": str(state_dir),
        "LOCALCLOUD_PERSIST": "1" if persist else "0",
        "LOCALCLOUD_SFN_WAIT_SCALE": SFN_WAIT_SCALE,
        "LOCALCLOUD_PARAMETERS": JOB_PARAMETERS,
        "LOCALCLOUD_STACK": "conveyor",
    }
    env.pop("AWS_ENDPOINT_URL", None)
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir / "up.out"
    process = subprocess.Popen(
        [sys.executable, "-m", "localcloud", "up"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    cloud = RunningCloud(settings, process, log_path)

    def ready() -> bool:
        if process.poll() is not None or "deploy failed" in cloud.log():
            raise AssertionError(f"local cloud did not come up:\n{cloud.log()}")
        return "local cloud is ready" in cloud.log()

    wait_for(ready, timeout=120, interval=0.2, what="the local cloud")
    cfn = cloud.client("cloudformation")
    cloud.outputs = deployer.stack_outputs(cfn, settings.stack_name)
    return cloud


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCloud]:
    running = start_cloud(tmp_path_factory.mktemp("localcloud"), persist=False)
    probe = deployer.deploy(running.settings, template=PLATFORM_TEMPLATE, stack_name="platform-probe")
    running.probe = probe.outputs
    running.probe_deployed_at = time.time()
    yield running
    running.stop()


class ProbeTable:
    """What the probe handlers recorded (tests/integration/platform/probe/app.py)."""

    def __init__(self, cloud: RunningCloud) -> None:
        self._table = cloud.resource("dynamodb").Table(cloud.probe["ProbeTableName"])

    def records(self, kind: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {"KeyConditionExpression": Key("kind").eq(kind), "ConsistentRead": True}
        while True:
            page = self._table.query(**query)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def deliveries(self, queue_url: str) -> list[dict[str, Any]]:
        name = queue_url.rsplit("/", 1)[-1]
        return [item for item in self.records("delivery") if item["queue"] == name]


@pytest.fixture(scope="session")
def probe_table(cloud: RunningCloud) -> ProbeTable:
    return ProbeTable(cloud)
