"""What each content-jobs function reads from its environment (stacks/content-jobs.yaml
sets it; the root stack sets the API function's). No prefix: every variable here is
the content jobs' own, or the job engine's (`conveyor.jobs.settings`).

    function    variables
    api         JOBS_TABLE, JOB_QUEUE_PREFIX
    worker      JOBS_TABLE, JOB_QUEUE_PREFIX, JOB_DATA_TABLE, JOB_DOCUMENTS_BUCKET, JOB_MAX_ATTEMPTS,
                JOB_MAX_STALLS, JOB_BACKOFF_SECONDS, JOB_ORG_RUNNING_LIMIT, JOB_ORG_WAIT_SECONDS,
                JOB_HTTP_TIMEOUT_SECONDS, JOB_FETCH_ALLOWED_NETWORKS
    scheduler   JOBS_TABLE, JOB_QUEUE_PREFIX, JOB_DATA_TABLE
    sweeper     JOBS_TABLE, JOB_QUEUE_PREFIX, JOB_MAX_STALLS
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator

from content_jobs.providers.addresses import IpNetwork, parse_networks
from conveyor.core.settings import env
from conveyor.jobs.settings import JobSettings, JobSweeperSettings, JobWorkerSettings


class ApiSettings(JobSettings):
    pass


class SweeperSettings(JobSweeperSettings):
    pass


class SchedulerSettings(JobSettings):
    data_table: str = env("JOB_DATA_TABLE", min_length=1)


class WorkerSettings(JobWorkerSettings):
    data_table: str = env("JOB_DATA_TABLE", min_length=1)
    documents_bucket: str = env("JOB_DOCUMENTS_BUCKET", min_length=1)
    # Outbound HTTP (scraping, feeds, platform APIs).
    http_timeout_seconds: float = env("JOB_HTTP_TIMEOUT_SECONDS", 10, gt=0, le=300)
    # Networks website and feed fetches may reach besides public addresses (`127.0.0.1/32,10.0.0.0/8`);
    # none by default (`providers/addresses.py`).
    fetch_allowed_networks: Annotated[tuple[IpNetwork, ...], BeforeValidator(parse_networks)] = env(
        "JOB_FETCH_ALLOWED_NETWORKS", ()
    )
