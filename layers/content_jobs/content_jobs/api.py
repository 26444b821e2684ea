"""The content jobs' routes, for the REST API function to include:

    app.include_router(ContentJobsApi.from_environment(aws).router())

`POST /jobs` (the content job types and their payload models), `GET /jobs`,
`GET /jobs/stats`, `GET|DELETE /jobs/{jobId}`, `POST /jobs/{jobId}/retry`, `GET /health`
(`conveyor.jobs.routes`).

Environment variables it reads (no prefix; the root stack sets them on the API function):

    JOBS_TABLE        the jobs table (the root stack's JobsTable)
    JOB_QUEUE_PREFIX  the content-jobs queues' name prefix (the content-jobs stack's output QueuePrefix)

A missing one fails the cold start, naming it. What the API may do with the table and
queues is the content-jobs stack's output ApiAccessPolicyArn.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_lambda_powertools.event_handler.api_gateway import Router

from content_jobs.catalog import REGISTRY
from content_jobs.settings import ApiSettings
from conveyor.core.aws import AwsClients
from conveyor.core.clock import Clock, system_clock
from conveyor.jobs.routes import job_router
from conveyor.jobs.service import JobService


class ContentJobsApi:
    def __init__(self, jobs: JobService) -> None:
        self.jobs = jobs

    @classmethod
    def from_environment(
        cls, aws: AwsClients, environ: Mapping[str, str] | None = None, clock: Clock = system_clock
    ) -> ContentJobsApi:
        return cls(JobService.build(ApiSettings.from_environment(environ), aws, REGISTRY, clock))

    def router(self) -> Router:
        return job_router(self.jobs)
