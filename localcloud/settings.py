"""Configuration of the local cloud, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where the local cloud listens, keeps its state and deploys the stack."""

    project_dir: Path = PROJECT_DIR
    host: str = "127.0.0.1"
    port: int = 4566
    api_port: int = 3000
    console_port: int = 8080  # the web console (python -m console); 0: not started
    qdrant_port: int = 6333
    state_dir: Path = PROJECT_DIR / ".localcloud"
    persist: bool = True
    # Seconds between snapshots of the state that changed (a crash loses at most about this much).
    save_interval: float = 1.0
    stack_name: str = "conveyor"
    region: str = "us-east-1"
    # MiniStack's scale factor for Wait states and Retry intervals (1 = real time).
    sfn_wait_scale: float = 1.0
    # Extra template parameters ("Key=Value Key2=Value2"), on top of samconfig.toml's.
    parameter_overrides: str = ""
    # The template `up` and `deploy` deploy as the stack.
    template: Path = PROJECT_DIR / "template.yaml"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {
            "port": int(env.get("LOCALCLOUD_PORT", cls.port)),
            "api_port": int(env.get("LOCALCLOUD_API_PORT", cls.api_port)),
            "console_port": int(env.get("LOCALCLOUD_CONSOLE_PORT", cls.console_port)),
            "qdrant_port": int(env.get("LOCALCLOUD_QDRANT_PORT", cls.qdrant_port)),
            "state_dir": Path(env.get("LOCALCLOUD_STATE_DIR", cls.state_dir)),
            "persist": env.get("LOCALCLOUD_PERSIST", "1") != "0",
            "save_interval": float(env.get("LOCALCLOUD_SAVE_INTERVAL", cls.save_interval)),
            "stack_name": env.get("LOCALCLOUD_STACK", cls.stack_name),
            "region": env.get("AWS_DEFAULT_REGION", cls.region),
            "sfn_wait_scale": float(env.get("LOCALCLOUD_SFN_WAIT_SCALE", cls.sfn_wait_scale)),
            "parameter_overrides": env.get("LOCALCLOUD_PARAMETERS", ""),
            "template": Path(env.get("LOCALCLOUD_TEMPLATE", cls.template)),
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    @property
    def console_url(self) -> str:
        return f"http://{self.host}:{self.console_port}"

    @property
    def qdrant_url(self) -> str:
        return f"http://{self.host}:{self.qdrant_port}"

    @property
    def qdrant_dir(self) -> Path | None:
        """Where the Qdrant endpoint keeps its collections; None: in memory."""
        return self.state_dir / "qdrant" if self.persist else None

    @property
    def pid_file(self) -> Path:
        return self.state_dir / f"localcloud-{self.port}.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "ministack.log"
