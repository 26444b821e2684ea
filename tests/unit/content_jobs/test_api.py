"""The content jobs' routes (ContentJobsApi) in the REST API's frame, called with API Gateway events on moto."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from content_jobs.api import ContentJobsApi
from conveyor.core.aws import AwsClients
from conveyor.core.rest import rest_api

from ..conftest import FakeLambdaContext, api_event
from .conftest import ContentJobsResources, queue_attribute

Call = Callable[..., tuple[int, Any]]


@pytest.fixture
def call(aws: AwsClients) -> Call:
    app = rest_api("Conveyor API")
    app.include_router(ContentJobsApi.from_environment(aws).router())

    def call(method: str, path: str, body: Any = None, query: dict[str, str] | None = None, **path_parameters) -> tuple:
        event = api_event(method, path, body, path_parameters or None, query)
        response = app.resolve(event, FakeLambdaContext())
        return response["statusCode"], json.loads(response["body"])

    return call


def create(call: Call, org: str = "org-1", **payload: object) -> str:
    status, body = call("POST", "/jobs", {"type": "NOOP", "organizationId": org, "payload": payload})
    assert status == 202, body
    return body["id"]


def test_post_jobs_records_and_queues_the_job(call: Call, content_jobs: ContentJobsResources) -> None:
    request = {"type": "GENERATE_IMAGE", "organizationId": "o", "payload": {"prompt": "sea"}}
    status, body = call("POST", "/jobs", request)
    assert status == 202
    assert (body["status"], body["queue"], body["duplicate"]) == ("PENDING", "supporting", False)
    status, job = call("GET", f"/jobs/{body['id']}", job_id=body["id"])
    assert job["payload"] == {"prompt": "sea", "width": 512, "height": 512}  # validated, with its defaults
    assert queue_attribute(content_jobs.queue_urls["supporting"], "ApproximateNumberOfMessages") == 1


def test_post_jobs_names_the_wrong_fields_in_the_one_error_shape(
    call: Call, content_jobs: ContentJobsResources
) -> None:
    status, body = call("POST", "/jobs", {"type": "SYNC_RSS", "organizationId": "o", "payload": {"sourceId": "s"}})
    assert (status, body["statusCode"], body["code"]) == (422, 422, "VALIDATION_ERROR")
    assert [(e["loc"], e["msg"]) for e in body["detail"]] == [(["body", "payload", "feedUrl"], "Field required")]
    status, body = call("POST", "/jobs", {"type": "NOPE", "organizationId": "o", "payload": {}})
    assert status == 422 and body["detail"][0]["loc"] == ["body", "type"]
    status, body = call("POST", "/jobs", {"type": "NOOP", "organizationId": "a/b", "payload": {}})
    assert status == 422 and body["detail"][0]["loc"] == ["body", "organizationId"]
    assert queue_attribute(content_jobs.queue_urls["context-scraping"], "ApproximateNumberOfMessages") == 0


def test_get_cancel_and_retry(call: Call) -> None:
    job_id = create(call, echo="x")
    status, job = call("GET", f"/jobs/{job_id}", job_id=job_id)
    assert (status, job["status"], job["payload"]) == (200, "PENDING", {"echo": "x"})
    assert "delivery" not in job and "heartbeatMs" not in job  # the engine's own fields stay inside

    status, body = call("POST", f"/jobs/{job_id}/retry", job_id=job_id)
    assert (status, body["code"]) == (409, "CONFLICT") and "PENDING" in body["message"]  # nothing to retry yet
    status, job = call("DELETE", f"/jobs/{job_id}", job_id=job_id)
    assert (status, job["status"]) == (200, "CANCELLED")
    assert call("DELETE", f"/jobs/{job_id}", job_id=job_id)[0] == 409
    status, job = call("POST", f"/jobs/{job_id}/retry", job_id=job_id)
    assert (status, job["status"], job["attempts"]) == (202, "PENDING", 0)

    status, body = call("GET", "/jobs/nope", job_id="nope")
    assert (status, body["code"], body["field"]) == (404, "NOT_FOUND", "jobId")


def test_list_pages_with_next_token(call: Call) -> None:
    first, second = create(call, "org-a"), create(call, "org-a")
    create(call, "org-b")
    status, page = call("GET", "/jobs", query={"organizationId": "org-a", "limit": "1"})
    assert status == 200 and [j["id"] for j in page["jobs"]] == [second]
    status, page = call("GET", "/jobs", query={"organizationId": "org-a", "nextToken": page["nextToken"]})
    assert [j["id"] for j in page["jobs"]] == [first] and page["nextToken"] is None
    assert call("GET", "/jobs", query={"limit": "0"})[0] == 422
    status, body = call("GET", "/jobs", query={"nextToken": "bm90LWEta2V5"})
    assert (status, body["code"], body["field"]) == (400, "BAD_REQUEST", "nextToken")
    status, body = call("GET", "/jobs", query={"queue": "elsewhere"})
    assert status == 422 and body["detail"][0]["loc"] == ["query", "queue"]


def test_stats_and_health(call: Call, content_jobs: ContentJobsResources) -> None:
    for _ in range(3):
        create(call)
    status, stats = call("GET", "/jobs/stats")
    assert status == 200
    assert set(stats["queues"]) == {"content-generation", "context-scraping", "analytics-sync", "supporting"}
    supporting = stats["queues"]["supporting"]
    assert (supporting["jobs"]["PENDING"], supporting["active"], supporting["deadLetters"]) == (3, 3, 0)
    assert supporting["messages"] == {"visible": 3, "inFlight": 0, "delayed": 0}

    status, health = call("GET", "/health")
    assert (status, health["status"], len(health["checks"])) == (200, "ok", 5)
    boto3.client("sqs").delete_queue(QueueUrl=content_jobs.queue_urls["analytics-sync-dlq"])
    status, body = call("GET", "/health")
    assert (status, body["code"]) == (503, "SERVICE_UNAVAILABLE") and "queue:analytics-sync" in body["message"]


def test_openapi_describes_the_job_routes_and_their_models(call: Call) -> None:
    status, document = call("GET", "/openapi.json")
    assert status == 200
    paths = document["paths"]
    assert {"/jobs", "/jobs/{job_id}", "/jobs/{job_id}/retry", "/jobs/stats", "/health"} <= set(paths)
    stats = paths["/jobs/stats"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert stats == {"$ref": "#/components/schemas/JobStats"}
    assert {"QueueStats", "MessageCounts", "JobView", "JobPage", "ErrorResponse"} <= set(
        document["components"]["schemas"]
    )
    listed = {parameter["name"] for parameter in paths["/jobs"]["get"]["parameters"]}
    assert {"nextToken", "organizationId", "status", "type", "queue", "limit"} == listed
    assert "SCRAPE_WEBSITE: {sourceId, url, maxChars?}" in json.dumps(document)
