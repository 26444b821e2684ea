"""The scripts in scripts/ run as a user runs them: the plain AWS CLI and curl
against the local cloud."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..conftest import PROJECT_DIR
from .conftest import RunningCloud


def run_script(cloud: RunningCloud, name: str, **env: str) -> str:
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",  # the venv's aws
        "LOCALCLOUD_PORT": str(cloud.settings.port),
        "LOCALCLOUD_API_PORT": str(cloud.settings.api_port),
        "LOCALCLOUD_STATE_DIR": str(cloud.settings.state_dir),
        **env,
    }
    environment.pop("AWS_ENDPOINT_URL", None)
    result = subprocess.run(
        [str(PROJECT_DIR / "scripts" / name)], env=environment, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_observability_script_runs_five_tasks_to_their_end(cloud: RunningCloud) -> None:
    output = run_script(cloud, "test-observability.sh")
    statuses = [line.split()[-1] for line in output.splitlines() if line.startswith("  obs-")]
    assert statuses == ["SUCCEEDED", "SUCCEEDED", "FAILED", "SUCCEEDED", "SUCCEEDED"]
    assert "get-execution-history" in output


def test_the_rate_limit_script_sees_every_submission_start(cloud: RunningCloud) -> None:
    output = run_script(cloud, "test-rate-limits.sh", LIMIT="5", PERIOD="2", COUNT="10")
    assert "10 of 10 started" in output, output
    dispatcher = cloud.client("lambda").get_function_configuration(
        FunctionName=cloud.outputs["DemoTaskDispatcherFunctionName"]
    )
    assert dispatcher["Environment"]["Variables"]["FLOW_GLOBAL_THROTTLE_LIMIT"] == "0"  # back as it was
