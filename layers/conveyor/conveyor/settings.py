"""Configuration of the handlers, read once from the environment the template sets."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Settings:
    tasks_table: str
    demo_task_state_machine_arn: str
    event_bus_name: str
    demo_task_dlq_url: str


@cache
def settings() -> Settings:
    env = os.environ
    return Settings(
        tasks_table=env.get("TASKS_TABLE", ""),
        demo_task_state_machine_arn=env.get("DEMO_TASK_STATE_MACHINE_ARN", ""),
        event_bus_name=env.get("EVENT_BUS_NAME", "default"),
        demo_task_dlq_url=env.get("DEMO_TASK_DLQ_URL", ""),
    )
