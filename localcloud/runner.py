"""Run `python -m localcloud up` as a child process: what the integration tests
and the benchmarks use to get a local cloud of their own on free ports."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from localcloud import deploy as deployer
from localcloud import identity
from localcloud.settings import PROJECT_DIR, Settings

READY_LINE = "local cloud is ready"
WORKER_MARK = "ministack-lambda-"  # in the path of a Lambda worker's script (MiniStack's Worker._spawn)


def session_processes(session_id: int) -> dict[int, str]:
    """Command lines of the live processes in session `session_id`, by pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == session_id and fields[0] != "Z":
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class CloudProcess:
    settings: Settings
    process: subprocess.Popen
    log_path: Path
    started: float
    ready_seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)

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

    @functools.cached_property
    def token(self) -> str:
        """An ID token of the developer user (organization `local`, admin) for the REST API."""
        token = identity.developer_token(self.settings, self.outputs, self.client("cognito-idp"))
        if token is None:
            raise RuntimeError("the stack has no user pool")
        return token

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def lambda_workers(self) -> list[int]:
        """Pids of the cloud's Lambda worker processes, alive or not yet reaped: its session's
        processes running MiniStack's worker script (they outlive the cloud's process if orphaned)."""
        return [pid for pid, command in session_processes(self.process.pid).items() if WORKER_MARK in command]

    def stop(self) -> int:
        """Ctrl-C, as a user would; killed if it has not stopped after 30 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


def start(
    state_dir: Path,
    *,
    persist: bool = False,
    port: int | None = None,
    api_port: int | None = None,
    qdrant_port: int | None = None,
    sfn_wait_scale: float = 1.0,
    parameter_overrides: str = "",
    template: Path | None = None,
    console: bool = False,
    timeout: float = 120,
) -> CloudProcess:
    """Start a local cloud and wait until the project's stack is deployed (and, with
    `console`, the web console serves on a free port: `settings.console_url`)."""
    settings = Settings.from_env(
        port=port or free_port(),
        api_port=api_port or free_port(),
        console_port=free_port() if console else 0,
        qdrant_port=qdrant_port or free_port(),
        state_dir=state_dir,
        persist=persist,
        sfn_wait_scale=sfn_wait_scale,
        parameter_overrides=parameter_overrides,
        stack_name="conveyor",
        template=template,
    )
    env = {
        **os.environ,
        "LOCALCLOUD_PORT": str(settings.port),
        "LOCALCLOUD_API_PORT": str(settings.api_port),
        "LOCALCLOUD_CONSOLE_PORT": str(settings.console_port),
        "LOCALCLOUD_QDRANT_PORT": str(settings.qdrant_port),
        "LOCALCLOUD_STATE_DIR": str(state_dir),
        "LOCALCLOUD_PERSIST": "1" if persist else "0",
        "LOCALCLOUD_SFN_WAIT_SCALE": str(sfn_wait_scale),
        "LOCALCLOUD_PARAMETERS": parameter_overrides,
        "LOCALCLOUD_STACK": settings.stack_name,
        "LOCALCLOUD_TEMPLATE": str(settings.template),
    }
    env.pop("AWS_ENDPOINT_URL", None)
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir / "up.out"
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "localcloud", "up"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    cloud = CloudProcess(settings, process, log_path, started)
    deadline = started + timeout
    while READY_LINE not in cloud.log():
        if process.poll() is not None or "deploy failed" in cloud.log() or time.monotonic() > deadline:
            cloud.stop()
            raise RuntimeError(f"the local cloud did not come up:\n{cloud.log()}")
        time.sleep(0.05)
    cloud.ready_seconds = time.monotonic() - started
    cloud.outputs = deployer.stack_outputs(cloud.client("cloudformation"), settings.stack_name)
    return cloud
