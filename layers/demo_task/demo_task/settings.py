"""Configuration of the demo task's functions, from the environment the template sets."""

from __future__ import annotations

from conveyor.core.settings import env
from conveyor.durable.flow import FlowSettings

# How a function holding several flows names this one's variables (`DEMO_TASK_DISPATCH_QUEUE_URL`).
ENV_PREFIX = "DEMO_TASK_"


class SubmissionSettings(FlowSettings):
    """What a submitter of demo/task.requested needs: the flow, and the idempotency records."""

    idempotency_table: str = env("IDEMPOTENCY_TABLE", min_length=1)
    # A second demo/task.requested with the same taskId inside this window starts nothing.
    idempotency_window_seconds: int = env("IDEMPOTENCY_WINDOW_SECONDS", 86400, ge=1)


class IntakeSettings(SubmissionSettings):
    """The queue consumer also sends what can never be valid straight to the DLQ."""

    dlq_url: str = env("DLQ_URL", min_length=1)
