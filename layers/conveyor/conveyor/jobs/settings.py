"""What the job engine reads from a function's environment (`conveyor.core.settings`).

JOBS_TABLE              the jobs table (job records and their counters)
JOB_QUEUE_PREFIX        queues are named `<prefix>-<queue>` and `<prefix>-<queue>-dlq`
JOB_MAX_ATTEMPTS        attempts before FAILED (workers)
JOB_MAX_STALLS          stalls (worker died, timed out) a job survives; one more fails it (workers, sweeper)
JOB_BACKOFF_SECONDS     `60,300,900`: the wait after failed attempt 1, 2, 3... (workers)
JOB_ORG_RUNNING_LIMIT   RUNNING jobs per organization (workers)
JOB_ORG_WAIT_SECONDS    how long a job waiting for a free slot waits before looking again (workers)
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator

from conveyor.core.settings import EnvironmentSettings, env
from conveyor.jobs.backoff import RetryPolicy, parse_backoff

Backoff = Annotated[tuple[int, ...], BeforeValidator(parse_backoff)]


class JobSettings(EnvironmentSettings):
    """What every function that reads or queues jobs needs."""

    jobs_table: str = env("JOBS_TABLE", min_length=1)
    queue_prefix: str = env("JOB_QUEUE_PREFIX", min_length=1)


class JobSweeperSettings(JobSettings):
    """What a function that settles stalled jobs needs (the sweeper, and the workers)."""

    max_stalls: int = env("JOB_MAX_STALLS", 3, ge=0, le=10)


class JobWorkerSettings(JobSweeperSettings):
    max_attempts: int = env("JOB_MAX_ATTEMPTS", 3, ge=1, le=10)
    backoff_seconds: Backoff = env("JOB_BACKOFF_SECONDS", (60, 300, 900))
    org_running_limit: int = env("JOB_ORG_RUNNING_LIMIT", 50, ge=1)
    org_wait_seconds: int = env("JOB_ORG_WAIT_SECONDS", 5, ge=1, le=450)

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(self.max_attempts, self.backoff_seconds, self.max_stalls)
