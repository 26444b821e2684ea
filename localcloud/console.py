"""Start the Conveyor console (`python -m console`) beside the local cloud.

`make up` serves the console on loopback at `LOCALCLOUD_CONSOLE_PORT` (8080), pointed
at this cloud's endpoint, its stack and its REST API (as the developer user, whose token
`python -m localcloud token` prints), with actions enabled: the local cloud is a
developer's own. The console is a separate process, so rendering
pages never competes with MiniStack's event loop; it stops with the cloud.
`LOCALCLOUD_CONSOLE_PORT=0` leaves it off.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

from localcloud.settings import Settings


@dataclass
class ConsoleProcess:
    host: str
    port: int
    process: subprocess.Popen

    def wait_until_serving(self, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            with socket.socket() as probe:
                if probe.connect_ex((self.host, self.port)) == 0:
                    return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_console(settings: Settings) -> ConsoleProcess | None:
    if not settings.console_port:
        return None
    command = [
        sys.executable,
        "-m",
        "console",
        "--host",
        settings.host,
        "--port",
        str(settings.console_port),
        "--endpoint",
        settings.endpoint_url,
        "--region",
        settings.region,
        "--stack",
        settings.stack_name,
        "--api-url",
        settings.api_url,
        "--token-command",
        f"{sys.executable} -m localcloud token",
        "--actions",
    ]
    # The token command reads this cloud's settings from the environment, as `make token` does.
    environment = {
        **os.environ,
        "LOCALCLOUD_PORT": str(settings.port),
        "LOCALCLOUD_API_PORT": str(settings.api_port),
        "LOCALCLOUD_STATE_DIR": str(settings.state_dir),
        "LOCALCLOUD_STACK": settings.stack_name,
    }
    with (settings.state_dir / "console.log").open("a") as log:
        process = subprocess.Popen(
            command, cwd=settings.project_dir, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    return ConsoleProcess(settings.host, settings.console_port, process)
