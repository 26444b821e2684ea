"""The content jobs' routes (ContentJobsApi) in the REST API's frame, called with API Gateway
events as the Cognito authorizer passes them (MEMBER of org-1, OTHER_MEMBER of org-2, ADMIN)."""

from __future__ import annotations

import json

import boto3

from ..conftest import ADMIN, MEMBER, OTHER_MEMBER
from .conftest import Call, ContentJobsResources, create, queue_attribute


def test_post_jobs_records_and_queues_the_job_in_the_callers_organization(
    call: Call, content_jobs: ContentJobsResources
) -> None:
    status, body = call("POST", "/jobs", {"type": "GENERATE_IMAGE", "payload": {"prompt": "sea"}})
    assert status == 202
    assert (body["status"], body["queue"], body["duplicate"]) == ("PENDING", "supporting", False)
    status, job = call("GET", f"/jobs/{body['id']}", job_id=body["id"])
    assert job["payload"] == {"prompt": "sea", "width": 512, "height": 512}  # validated, with its defaults
    assert job["organizationId"] == "org-1"  # the token's
    assert queue_attribute(content_jobs.queue_urls["supporting"], "ApproximateNumberOfMessages") == 1


def test_the_organization_comes_from_the_token_never_from_the_body(call: Call) -> None:
    status, body = call("POST", "/jobs", {"type": "NOOP", "organizationId": "org-1", "payload": {}})
    assert status == 202  # its own organization, said again: fine
    for claims in (MEMBER, ADMIN):
        status, body = call("POST", "/jobs", {"type": "NOOP", "organizationId": "org-2", "payload": {}}, claims=claims)
        assert (status, body["code"], body["field"]) == (403, "FORBIDDEN", "organizationId")


def test_post_jobs_names_the_wrong_fields_in_the_one_error_shape(
    call: Call, content_jobs: ContentJobsResources
) -> None:
    status, body = call("POST", "/jobs", {"type": "SYNC_RSS", "payload": {"sourceId": "s"}})
    assert (status, body["statusCode"], body["code"]) == (422, 422, "VALIDATION_ERROR")
    assert [(e["loc"], e["msg"]) for e in body["detail"]] == [(["body", "payload", "feedUrl"], "Field required")]
    status, body = call("POST", "/jobs", {"type": "NOPE", "payload": {}})
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


def test_another_organizations_job_is_403_and_an_admin_acts_across_organizations(call: Call) -> None:
    job_id = create(call)
    for method, path in (("GET", ""), ("DELETE", ""), ("POST", "/retry")):
        status, body = call(method, f"/jobs/{job_id}{path}", claims=OTHER_MEMBER, job_id=job_id)
        assert (status, body["code"], body["field"]) == (403, "FORBIDDEN", "jobId")
    assert call("GET", f"/jobs/{job_id}", job_id=job_id)[1]["status"] == "PENDING"  # untouched

    assert call("GET", f"/jobs/{job_id}", claims=ADMIN, job_id=job_id)[0] == 200
    assert call("DELETE", f"/jobs/{job_id}", claims=ADMIN, job_id=job_id)[1]["status"] == "CANCELLED"
    assert call("POST", f"/jobs/{job_id}/retry", claims=ADMIN, job_id=job_id)[0] == 202


def test_a_job_id_is_its_organizations(call: Call) -> None:
    request = {"type": "NOOP", "payload": {}, "jobId": "mine"}
    assert call("POST", "/jobs", request)[1]["duplicate"] is False
    assert call("POST", "/jobs", request)[1]["duplicate"] is True
    status, body = call("POST", "/jobs", request, claims=OTHER_MEMBER)
    assert (status, body["code"], body["field"]) == (409, "CONFLICT", "jobId")


def test_a_member_lists_their_organizations_jobs_and_an_admin_every_organizations(call: Call) -> None:
    first, second = create(call), create(call)
    other = create(call, OTHER_MEMBER)
    status, page = call("GET", "/jobs", query={"limit": "1"})
    assert status == 200 and [j["id"] for j in page["jobs"]] == [second]
    status, page = call("GET", "/jobs", query={"nextToken": page["nextToken"]})
    assert [j["id"] for j in page["jobs"]] == [first] and page["nextToken"] is None
    assert [j["id"] for j in call("GET", "/jobs", query={"organizationId": "org-1"})[1]["jobs"]] == [second, first]
    status, body = call("GET", "/jobs", query={"organizationId": "org-2"})
    assert (status, body["code"], body["field"]) == (403, "FORBIDDEN", "organizationId")

    assert {j["id"] for j in call("GET", "/jobs", claims=ADMIN)[1]["jobs"]} == {first, second, other}
    assert [j["id"] for j in call("GET", "/jobs", query={"organizationId": "org-2"}, claims=ADMIN)[1]["jobs"]] == [
        other
    ]


def test_list_refuses_what_it_did_not_hand_out(call: Call) -> None:
    assert call("GET", "/jobs", query={"limit": "0"})[0] == 422
    status, body = call("GET", "/jobs", query={"nextToken": "bm90LWEta2V5"})
    assert (status, body["code"], body["field"]) == (400, "BAD_REQUEST", "nextToken")
    status, body = call("GET", "/jobs", query={"queue": "elsewhere"})
    assert status == 422 and body["detail"][0]["loc"] == ["query", "queue"]


def test_without_an_identity_nothing_is_answered(call: Call) -> None:
    for method, path in (("POST", "/jobs"), ("GET", "/jobs"), ("GET", "/jobs/stats"), ("GET", "/jobs/j")):
        status, body = call(method, path, {"type": "NOOP", "payload": {}}, claims=None, job_id="j")
        assert (status, body["code"]) == (401, "UNAUTHENTICATED")


def test_stats_need_the_admin_group_and_health(call: Call, content_jobs: ContentJobsResources) -> None:
    for _ in range(3):
        create(call)
    status, body = call("GET", "/jobs/stats")
    assert (status, body["code"]) == (403, "FORBIDDEN")
    status, stats = call("GET", "/jobs/stats", claims=ADMIN)
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
