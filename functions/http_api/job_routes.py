"""Routes of the job API: create, list, read, cancel and retry jobs; queue stats; health."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import BadRequestError, NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import ValidationError

from conveyor.jobs.api import JobAccepted, JobPage, JobRequest, JobView
from conveyor.jobs.catalog import JobStatus, JobType, QueueName
from conveyor.jobs.cursor import InvalidCursor, decode_cursor, encode_cursor
from conveyor.jobs.payloads import PAYLOAD_MODELS, payload_json
from conveyor.jobs.records import Job
from conveyor.jobs.services import services
from conveyor.jobs.stats import health, queue_stats
from conveyor.jobs.store import JobFilter, NewJob, NotAllowed
from conveyor.jobs.submission import retry, submit

router = Router()
metrics = Metrics()
JobId = Annotated[str, Path(description="the job's id")]


@router.post("/jobs", summary="Create a job", tags=["jobs"], responses={202: {"description": "Job queued"}})
def create_job(request: Annotated[JobRequest, Body()]) -> Response[JobAccepted]:
    payload = _valid_payload(request.type, request.payload)
    new = NewJob(request.job_id or str(uuid.uuid4()), request.type, request.organization_id, payload_json(payload))
    jobs = services()
    submitted = submit(jobs.jobs, jobs.queues, new, request.delay_seconds)
    if not submitted.duplicate:
        metrics.add_metric(name="JobsCreated", unit=MetricUnit.Count, value=1)
    job = submitted.job
    accepted = JobAccepted(
        id=job.id, type=job.type, queue=job.queue.value, status=job.status.value, duplicate=submitted.duplicate
    )
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=accepted.model_dump())


@router.get("/jobs", summary="List jobs, newest first", tags=["jobs"])
def list_jobs(
    status: Annotated[JobStatus | None, Query()] = None,
    type: Annotated[JobType | None, Query()] = None,  # noqa: A002 - the API's parameter name
    organizationId: Annotated[str | None, Query()] = None,  # noqa: N803
    queue: Annotated[QueueName | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(description="nextCursor of the previous page")] = None,
) -> JobPage:
    try:
        start = decode_cursor(cursor)
    except InvalidCursor as error:
        raise BadRequestError(str(error)) from None
    filters = JobFilter(status=status, type=type, organization_id=organizationId, queue=queue)
    jobs, next_key = services().jobs.list(filters, limit, start)
    return JobPage(jobs=[_view(job) for job in jobs], nextCursor=encode_cursor(next_key))


@router.get("/jobs/stats", summary="Jobs per queue and status, queue depths and DLQ sizes", tags=["jobs"])
def job_stats() -> dict[str, Any]:
    jobs = services()
    return {"queues": queue_stats(jobs.jobs, jobs.queues)}


@router.get("/jobs/<job_id>", summary="A job", tags=["jobs"])
def get_job(job_id: JobId) -> JobView:
    return _view(_existing(job_id))


@router.delete("/jobs/<job_id>", summary="Cancel a PENDING or RUNNING job", tags=["jobs"])
def cancel_job(job_id: JobId) -> JobView:
    _existing(job_id)
    try:
        job = services().jobs.cancel(job_id)
    except NotAllowed as refused:
        raise ServiceError(409, str(refused)) from None
    metrics.add_metric(name="JobsCancelled", unit=MetricUnit.Count, value=1)
    return _view(job)


@router.post(
    "/jobs/<job_id>/retry",
    summary="Retry a FAILED or CANCELLED job, or one in the DLQ",
    tags=["jobs"],
    responses={202: {"description": "Job queued again"}},
)
def retry_job(job_id: JobId) -> Response[JobView]:
    jobs = services()
    try:
        job = retry(jobs.jobs, jobs.queues, _existing(job_id))
    except NotAllowed as refused:
        raise ServiceError(409, str(refused)) from None
    metrics.add_metric(name="JobsRetried", unit=MetricUnit.Count, value=1)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=_view(job).model_dump())


@router.get("/health", summary="Whether the job table and queues answer", tags=["jobs"])
def job_health() -> Response[dict[str, Any]]:
    jobs = services()
    checks = health(jobs.jobs, jobs.queues)
    healthy = all(result == "ok" for result in checks.values())
    body = {"status": "ok" if healthy else "unhealthy", "checks": checks}
    return Response(status_code=200 if healthy else 503, content_type=content_types.APPLICATION_JSON, body=body)


def _valid_payload(job_type: JobType, payload: dict[str, Any]) -> Any:
    """The typed payload; a wrong field is answered 422 with its place in the body, as the rest of the body is."""
    try:
        return PAYLOAD_MODELS[job_type].model_validate(payload)
    except ValidationError as error:
        detail = [{**issue, "loc": ("body", "payload", *issue["loc"])} for issue in error.errors()]
        raise RequestValidationError(detail) from None


def _existing(job_id: str) -> Job:
    job = services().jobs.get(job_id)
    if job is None:
        raise NotFoundError(f"no job {job_id!r}")
    return job


def _view(job: Job) -> JobView:
    return JobView.model_validate(job.to_view())
