"""The job API over one workload's job types: create, list, read, cancel and retry jobs;
queue stats; health.

`POST /jobs` takes the workload's types (the registry's enum) and checks the payload
against its type's model: a wrong field is answered 422 with its place in the body
(`body.payload.<field>`), in the one error shape of `conveyor.core.rest`. `POST
/jobs/batch` takes up to MAX_BATCH_JOBS of them, every one checked before any is written
(`body.jobs.<n>.payload.<field>`), and creates them all or none (`JobService.submit_many`).
Lists page with `nextToken`.

Every route runs for the verified caller (`conveyor.core.auth.Caller`). A job belongs
to the caller's organization, from the token: `POST /jobs` creates it there (an
`organizationId` in the body is refused 403 unless it is that one); a member lists,
reads, cancels and retries only their organization's jobs (another's answer 403); an
admin does so across organizations. `/jobs/stats` counts every organization's jobs
and needs the admin group (the counters are per queue, not per organization).
"""

# No `from __future__ import annotations`: the request model and the query parameters
# are typed with the registry's enums, which only exist inside `job_router`.

import uuid
from typing import Annotated, Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import ConfigDict, Field, ValidationError

from conveyor.core.auth import Caller, Forbidden
from conveyor.core.ids import ID_PATTERN, Identifier
from conveyor.core.models import ApiModel
from conveyor.core.rest import caller, error_responses
from conveyor.jobs.listing import JobFilter
from conveyor.jobs.records import Job, JobView, NewJob
from conveyor.jobs.registry import JobPayload
from conveyor.jobs.service import JobService
from conveyor.jobs.stats import HealthReport, JobStats
from conveyor.jobs.status import JobStatus

JobIdPath = Annotated[str, Path(description="the job's id"), Field(pattern=ID_PATTERN)]
MAX_BATCH_JOBS = 1000


class JobAccepted(ApiModel):
    id: str
    type: str
    queue: str
    status: JobStatus
    duplicate: bool = Field(description="a job with this id existed already; nothing new was queued")


class JobBatchAccepted(ApiModel):
    jobs: list[JobAccepted] = Field(description="each job of the request, in its order")
    created: int
    duplicates: int


class JobPage(ApiModel):
    jobs: list[JobView]
    next_token: str | None = Field(None, description="pass it back as nextToken for the next page")


def job_router(jobs: JobService) -> Router:
    router = Router()
    metrics = Metrics()
    registry = jobs.registry
    JobType = registry.types
    QueueName = registry.queues

    class JobRequest(ApiModel):
        model_config = ConfigDict(extra="forbid")

        type: JobType
        organization_id: Annotated[
            Identifier | None,
            Field(description="optional: jobs are created in your token's organization; another one is refused 403"),
        ] = None
        payload: Annotated[
            dict[str, Any], Field(description="The payload of the job's type:\n" + registry.payload_fields())
        ]
        job_id: Annotated[
            Identifier | None, Field(description="your id for the job; the same id twice queues it once")
        ] = None
        delay_seconds: Annotated[int, Field(ge=0, le=900, description="wait before the first attempt")] = 0

    class JobBatchItem(ApiModel):
        model_config = ConfigDict(extra="forbid")

        type: JobType
        payload: Annotated[dict[str, Any], Field(description="The payload of the job's type (see POST /jobs)")]
        job_id: Annotated[
            Identifier | None, Field(description="your id for the job; an id that exists is answered as a duplicate")
        ] = None

    class JobBatchRequest(ApiModel):
        model_config = ConfigDict(extra="forbid")

        jobs: Annotated[list[JobBatchItem], Field(min_length=1, max_length=MAX_BATCH_JOBS)]

    def visible_job(job_id: str) -> Job:
        """The job, if the caller may see it (their organization's, or an admin)."""
        who = caller(router)
        job = jobs.get(job_id)
        if not who.may_see(job.organization_id):
            raise Forbidden(f"job {job_id!r} belongs to another organization", field="jobId")
        return job

    @router.post(
        "/jobs",
        summary="Create a job",
        description="The job is your organization's (your token's). The same jobId twice queues one job; "
        "a job still waiting for its message to be sent is sent again.",
        tags=["jobs"],
        responses=_answers(202, "Job queued, or the existing job of this jobId", 401, 403, 409, 413, 415, 422),
    )
    def create_job(request: Annotated[JobRequest, Body()]) -> Response[JobAccepted]:
        organization = caller(router).acting_organization()
        if request.organization_id not in (None, organization):
            raise Forbidden(f"jobs are created in your organization, {organization!r}", field="organizationId")
        payload = _valid_payload(registry.payload_model(request.type), request.payload)
        job_id = request.job_id or str(uuid.uuid4())
        submitted = jobs.submit(NewJob(job_id, request.type, organization, payload), request.delay_seconds)
        if not submitted.duplicate:
            metrics.add_metric(name="JobsCreated", unit=MetricUnit.Count, value=1)
        job = submitted.job
        accepted = JobAccepted(
            id=job.id,
            type=job.type,
            queue=job.queue,
            status=job.status,
            duplicate=submitted.duplicate,
        )
        return _json(202, accepted)

    @router.post(
        "/jobs/batch",
        summary=f"Create up to {MAX_BATCH_JOBS} jobs at once",
        description="All of them or none, in your organization (your token's). Every job is checked before any "
        "is written; each jobId once per request; a jobId that exists already is answered as a duplicate and "
        "queued once.",
        tags=["jobs"],
        responses=_answers(202, "Jobs queued, with the existing jobs of ids sent before", 401, 409, 413, 415, 422, 503),
    )
    def create_jobs(request: Annotated[JobBatchRequest, Body()]) -> Response[JobBatchAccepted]:
        organization = caller(router).acting_organization()
        news, seen = [], set()
        for index, item in enumerate(request.jobs):
            payload = _valid_payload(registry.payload_model(item.type), item.payload, ("body", "jobs", index))
            job_id = item.job_id or str(uuid.uuid4())
            if job_id in seen:
                issue = {"loc": ("body", "jobs", index, "jobId"), "msg": "the same jobId twice", "type": "duplicate"}
                raise RequestValidationError([issue])
            seen.add(job_id)
            news.append(NewJob(job_id, item.type, organization, payload))
        submitted = jobs.submit_many(news)
        created = sum(not each.duplicate for each in submitted)
        metrics.add_metric(name="JobsCreated", unit=MetricUnit.Count, value=created)
        accepted = [
            JobAccepted(id=s.job.id, type=s.job.type, queue=s.job.queue, status=s.job.status, duplicate=s.duplicate)
            for s in submitted
        ]
        return _json(202, JobBatchAccepted(jobs=accepted, created=created, duplicates=len(submitted) - created))

    @router.get(
        "/jobs",
        summary="List jobs, newest first",
        description="Your organization's jobs; an admin's list has every organization's (organizationId narrows it).",
        tags=["jobs"],
        responses=_answers(200, "A page of jobs", 400, 401, 403, 422),
    )
    def list_jobs(
        status: Annotated[JobStatus | None, Query()] = None,
        type: Annotated[JobType | None, Query()] = None,  # noqa: A002 - the API's parameter name
        organization_id: Annotated[Identifier | None, Query(alias="organizationId")] = None,
        queue: Annotated[QueueName | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        next_token: Annotated[str | None, Query(alias="nextToken", max_length=4096)] = None,
    ) -> JobPage:
        organization = _listed_organization(caller(router), organization_id)
        filters = JobFilter(status=status, type=type, organization_id=organization, queue=queue)
        page, token = jobs.page(filters, limit, next_token)
        return JobPage(jobs=[job.view() for job in page], next_token=token)

    @router.get(
        "/jobs/stats",
        summary="Jobs per queue and status, queue depths and DLQ sizes (admin)",
        description="Counts every organization's jobs: needs the admin group.",
        tags=["jobs"],
        responses=_answers(200, "Every queue's jobs and messages", 401, 403, 422),
    )
    def job_stats() -> JobStats:
        caller(router).require_admin("the stats of every organization's jobs")
        return jobs.stats()

    @router.get(
        "/jobs/<job_id>", summary="A job", tags=["jobs"], responses=_answers(200, "The job", 401, 403, 404, 422)
    )
    def get_job(job_id: JobIdPath) -> JobView:
        return visible_job(job_id).view()

    @router.delete(
        "/jobs/<job_id>",
        summary="Cancel a PENDING or RUNNING job",
        tags=["jobs"],
        responses=_answers(200, "The job, CANCELLED", 401, 403, 404, 409, 422),
    )
    def cancel_job(job_id: JobIdPath) -> JobView:
        job = jobs.cancel(visible_job(job_id))
        metrics.add_metric(name="JobsCancelled", unit=MetricUnit.Count, value=1)
        return job.view()

    @router.post(
        "/jobs/<job_id>/retry",
        summary="Retry a FAILED or CANCELLED job, one in the DLQ, or one whose message was never sent",
        tags=["jobs"],
        responses=_answers(202, "Job queued again", 401, 403, 404, 409, 422),
    )
    def retry_job(job_id: JobIdPath) -> Response[JobView]:
        job = jobs.retry(visible_job(job_id))
        metrics.add_metric(name="JobsRetried", unit=MetricUnit.Count, value=1)
        return _json(202, job.view())

    @router.get(
        "/health",
        summary="Whether the jobs table and every job queue answer",
        tags=["jobs"],
        responses=_answers(200, "Every dependency answers", 401, 422, 503),
    )
    def job_health() -> Response[HealthReport]:
        caller(router)  # any verified caller
        report = jobs.health()
        if report.status != "ok":
            failing = "; ".join(f"{name}: {result}" for name, result in report.checks.items() if result != "ok")
            raise ServiceError(503, f"unhealthy: {failing}")
        return _json(200, report)

    return router


def _answers(success: int, description: str, *errors: int) -> dict[int | str, Any]:
    """A route's OpenAPI responses: its success (the route's return model) and every error it
    answers, in ErrorResponse's shape. (Powertools documents a 422 on every route: ours say
    it in the one shape too.)"""
    return {success: {"description": description}, **error_responses(*errors)}


def _listed_organization(who: Caller, asked: str | None) -> str | None:
    """Whose jobs a listing shows: a member's own organization's (asking for another is
    refused); an admin's, every organization's or the one asked for."""
    if who.admin:
        return asked
    organization = who.acting_organization()
    if asked not in (None, organization):
        raise Forbidden(f"you may list only your organization's jobs ({organization!r})", field="organizationId")
    return organization


def _valid_payload(
    model: type[JobPayload], payload: dict[str, Any], within: tuple[str | int, ...] = ("body",)
) -> JobPayload:
    """The typed payload; a wrong field is answered 422 with its place in the body (the job at
    `within`), as the rest of the body is."""
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        detail = [{**issue, "loc": (*within, "payload", *issue["loc"])} for issue in error.errors()]
        raise RequestValidationError(detail) from None


def _json(status: int, body: ApiModel) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body.model_dump(mode="json"))
