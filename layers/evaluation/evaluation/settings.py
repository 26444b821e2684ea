"""What each evaluation function reads from its environment (stacks/evaluation.yaml sets it;
the root stack sets the GraphQL function's, with the `EVALUATION_` prefix on the job
engine's variables: `EVALUATION_JOB_QUEUE_PREFIX` is read as JOB_QUEUE_PREFIX, beside
another workload's in the same function).

    function     variables
    graphql      JOBS_TABLE, JOB_QUEUE_PREFIX, EVALUATION_TABLE, EVALUATION_DISPATCH_QUEUE_URL,
                 EVALUATION_WORKER_FUNCTION, EVALUATION_OPENAI_BASE_URL
    worker       JOBS_TABLE, JOB_QUEUE_PREFIX, JOB_MAX_ATTEMPTS, JOB_BACKOFF_SECONDS,
                 JOB_ORG_RUNNING_LIMIT, JOB_ORG_WAIT_SECONDS, EVALUATION_TABLE,
                 EVALUATION_DISPATCH_QUEUE_URL, EVALUATION_HOLD_SECONDS,
                 EVALUATION_LOCAL_MODEL_LATENCY_MS, EVALUATION_OPENAI_BASE_URL,
                 EVALUATION_OPENAI_API_KEY, EVALUATION_MODEL_TIMEOUT_SECONDS
    dispatcher   JOBS_TABLE, JOB_QUEUE_PREFIX, JOB_MAX_STALLS, EVALUATION_TABLE, EVALUATION_DISPATCH_QUEUE_URL,
                 EVALUATION_RELEASE_WINDOW
"""

from __future__ import annotations

from conveyor.core.settings import env
from conveyor.jobs.settings import JobSettings, JobSweeperSettings, JobWorkerSettings

ENV_PREFIX = "EVALUATION_"


class EvaluationSettings(JobSettings):
    """Every evaluation function: the job engine's table and queues, the workload's table, and
    the dispatcher's FIFO queue (where releases and completions are asked for)."""

    table: str = env("EVALUATION_TABLE", min_length=1)
    dispatch_queue_url: str = env("EVALUATION_DISPATCH_QUEUE_URL", min_length=1)


class ModelSettings(EvaluationSettings):
    # An OpenAI-compatible API (`openai/<model>`); unset: only the local models.
    openai_base_url: str | None = env("EVALUATION_OPENAI_BASE_URL", None, pattern=r"^https?://")


class ApiSettings(ModelSettings):
    worker_function: str = env("EVALUATION_WORKER_FUNCTION", min_length=1)


class WorkerSettings(ModelSettings, JobWorkerSettings):
    openai_api_key: str | None = env("EVALUATION_OPENAI_API_KEY", None)
    model_timeout_seconds: float = env("EVALUATION_MODEL_TIMEOUT_SECONDS", 30, gt=0, le=300)
    local_model_latency_ms: int = env("EVALUATION_LOCAL_MODEL_LATENCY_MS", 0, ge=0, le=60_000)
    # A job of a paused run that has failed an attempt waits this long before it looks again.
    hold_seconds: int = env("EVALUATION_HOLD_SECONDS", 5, ge=1, le=900)


class DispatcherSettings(EvaluationSettings, JobSweeperSettings):
    # At most this many probe jobs wait in the queue or run at once; the rest wait in their runs.
    release_window: int = env("EVALUATION_RELEASE_WINDOW", 20, ge=1, le=10_000)
