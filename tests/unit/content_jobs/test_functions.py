"""The content-jobs functions: each builds its object at cold start from the environment
the stack gives it, and a missing variable fails the cold start, naming it."""

from __future__ import annotations

import boto3
import pytest

from content_jobs.api import ContentJobsApi
from content_jobs.catalog import REGISTRY, JobType
from conveyor.core.aws import AwsClients
from conveyor.core.settings import ConfigurationError
from conveyor.jobs.records import NewJob
from conveyor.jobs.status import JobStatus

from ...conftest import load_handler
from ..conftest import FakeLambdaContext
from .conftest import ContentJobsResources, received_record


def new(job_id: str, job_type: JobType, **payload: object) -> NewJob:
    return NewJob(job_id, job_type, "org-1", REGISTRY.parse_payload(job_type, payload))


def test_the_worker_runs_a_delivery_of_any_of_its_queues(content_jobs: ContentJobsResources) -> None:
    app = load_handler("content_jobs/worker")
    jobs = app.worker.jobs
    jobs.submit(new("j-1", JobType.NOOP, echo="hello"))
    jobs.submit(new("c-1", JobType.GENERATE_CONTENT, topic="queues", platforms=["twitter"]))

    for queue in ("supporting", "content-generation"):
        event = {"Records": [received_record(content_jobs.queue_urls[queue])]}
        assert app.handler(event, FakeLambdaContext()) == {"batchItemFailures": []}

    assert jobs.get("j-1").result == {"echo": "hello"}
    assert jobs.get("c-1").status == JobStatus.COMPLETED


def test_a_retried_attempt_is_a_batch_item_failure(content_jobs: ContentJobsResources) -> None:
    app = load_handler("content_jobs/worker")
    boto3.client("s3").delete_bucket(Bucket=content_jobs.bucket)  # GENERATE_IMAGE cannot store its image
    app.worker.jobs.submit(new("img", JobType.GENERATE_IMAGE, prompt="a calm sea"))
    record = received_record(content_jobs.queue_urls["supporting"])

    response = app.handler({"Records": [record]}, FakeLambdaContext())

    assert response == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
    assert app.worker.jobs.get("img").history[-1].retry_in_seconds == 60


def test_the_scheduler_fires_a_schedule(content_jobs: ContentJobsResources) -> None:
    app = load_handler("content_jobs/scheduler")
    report = app.handler({"schedule": "analytics", "scheduledTime": "2026-01-01T12:00:00Z"}, FakeLambdaContext())
    assert report == {"created": [], "duplicates": [], "skippedActive": []}


def test_the_sweeper_sweeps(content_jobs: ContentJobsResources) -> None:
    report = load_handler("content_jobs/sweeper").handler({}, FakeLambdaContext())
    assert report == {"released": [], "failed": [], "resent": []}


@pytest.mark.parametrize(
    ("function", "variable"),
    [
        ("content_jobs/worker", "JOB_DOCUMENTS_BUCKET"),
        ("content_jobs/worker", "JOB_QUEUE_PREFIX"),
        ("content_jobs/scheduler", "JOB_DATA_TABLE"),
        ("content_jobs/sweeper", "JOBS_TABLE"),
    ],
)
def test_a_missing_variable_fails_the_cold_start_naming_it(
    content_jobs: ContentJobsResources, monkeypatch: pytest.MonkeyPatch, function: str, variable: str
) -> None:
    monkeypatch.delenv(variable)
    with pytest.raises(ConfigurationError, match=f"{variable}: Field required"):
        load_handler(function)


def test_the_api_reads_the_jobs_table_and_the_queue_prefix(content_jobs: ContentJobsResources) -> None:
    with pytest.raises(ConfigurationError, match="JOB_QUEUE_PREFIX: Field required"):
        ContentJobsApi.from_environment(AwsClients(), {"JOBS_TABLE": content_jobs.jobs_table})
    api = ContentJobsApi.from_environment(AwsClients(), {"JOBS_TABLE": "t", "JOB_QUEUE_PREFIX": "p-jobs"})
    assert api.jobs.queues.name("supporting") == "p-jobs-supporting"
