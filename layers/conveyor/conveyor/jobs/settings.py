"""Configuration of the job functions, read once from the environment the template sets."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

from conveyor.jobs.catalog import QueueName


@dataclass(frozen=True)
class JobSettings:
    jobs_table: str
    data_table: str
    documents_bucket: str
    # Queues are named `<prefix>-<queue>` and `<prefix>-<queue>-dlq` (template.yaml).
    queue_prefix: str
    # The queue a worker function consumes; empty elsewhere.
    worker_queue: QueueName | None
    max_attempts: int
    # backoff_seconds[n - 1] is the wait after failed attempt n; the last one repeats.
    backoff_seconds: tuple[int, ...]
    org_running_limit: int
    # How long a job waits for a free slot of its organization before it is looked at again.
    org_wait_seconds: int
    # Outbound HTTP (scraping, feeds, platform APIs).
    http_timeout_seconds: float

    def queue_name(self, queue: QueueName) -> str:
        return f"{self.queue_prefix}-{queue.value}"

    def dlq_name(self, queue: QueueName) -> str:
        return f"{self.queue_prefix}-{queue.value}-dlq"


def parse_backoff(text: str) -> tuple[int, ...]:
    """`60,300,900` -> (60, 300, 900): whole seconds, as SQS counts them."""
    delays = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    if not delays or any(delay < 0 or delay > 43_200 for delay in delays):
        raise ValueError(f"JOB_BACKOFF_SECONDS must list 0-43200 s delays, got {text!r}")
    return delays


@cache
def job_settings() -> JobSettings:
    env = os.environ
    worker_queue = env.get("JOB_WORKER_QUEUE")
    return JobSettings(
        jobs_table=env.get("JOBS_TABLE", ""),
        data_table=env.get("JOB_DATA_TABLE", ""),
        documents_bucket=env.get("JOB_DOCUMENTS_BUCKET", ""),
        queue_prefix=env.get("JOB_QUEUE_PREFIX", "conveyor-jobs"),
        worker_queue=QueueName(worker_queue) if worker_queue else None,
        max_attempts=int(env.get("JOB_MAX_ATTEMPTS", "3")),
        backoff_seconds=parse_backoff(env.get("JOB_BACKOFF_SECONDS", "60,300,900")),
        org_running_limit=int(env.get("JOB_ORG_RUNNING_LIMIT", "50")),
        org_wait_seconds=int(env.get("JOB_ORG_WAIT_SECONDS", "5")),
        http_timeout_seconds=float(env.get("JOB_HTTP_TIMEOUT_SECONDS", "10")),
    )
