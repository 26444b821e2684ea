"""Configuration of the handlers, read once from the environment the template sets."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Settings:
    tasks_table: str
    flow_table: str
    idempotency_table: str
    # A second demo/task.requested with the same taskId inside this window starts nothing.
    idempotency_window_seconds: int
    demo_task_state_machine_arn: str
    demo_task_dlq_url: str
    dispatch_queue_url: str
    dispatch_timer_queue_url: str


@cache
def settings() -> Settings:
    env = os.environ
    return Settings(
        tasks_table=env.get("TASKS_TABLE", ""),
        flow_table=env.get("FLOW_TABLE", ""),
        idempotency_table=env.get("IDEMPOTENCY_TABLE", ""),
        idempotency_window_seconds=int(env.get("IDEMPOTENCY_WINDOW_SECONDS", 24 * 3600)),
        demo_task_state_machine_arn=env.get("DEMO_TASK_STATE_MACHINE_ARN", ""),
        demo_task_dlq_url=env.get("DEMO_TASK_DLQ_URL", ""),
        dispatch_queue_url=env.get("DISPATCH_QUEUE_URL", ""),
        dispatch_timer_queue_url=env.get("DISPATCH_TIMER_QUEUE_URL", ""),
    )
