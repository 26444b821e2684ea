"""The job HTTP API, called with API Gateway REST events on moto."""

from __future__ import annotations

import json

from conveyor.jobs.catalog import QueueName
from conveyor.jobs.services import services

from .conftest import call_api as call


def create(org: str = "org-1", **payload: object) -> str:
    status, body = call("POST", "/jobs", {"type": "NOOP", "organizationId": org, "payload": payload})
    assert status == 202, body
    return body["id"]


def test_post_jobs_records_and_queues_the_job(jobs_cloud: dict) -> None:
    status, body = call(
        "POST", "/jobs", {"type": "GENERATE_IMAGE", "organizationId": "o", "payload": {"prompt": "sea"}}
    )
    assert status == 202
    assert (body["status"], body["queue"], body["duplicate"]) == ("PENDING", "supporting", False)
    job = services().jobs.get(body["id"])
    assert job.payload == {"prompt": "sea", "width": 512, "height": 512}  # validated, with its defaults
    depth = services().queues.depth(job.queue)
    assert depth.visible == 1


def test_post_jobs_names_the_wrong_fields(jobs_cloud: dict) -> None:
    status, body = call("POST", "/jobs", {"type": "SYNC_RSS", "organizationId": "o", "payload": {"sourceId": "s"}})
    assert status == 422
    assert [(e["loc"], e["msg"]) for e in body["detail"]] == [(["body", "payload", "feedUrl"], "Field required")]
    status, body = call("POST", "/jobs", {"type": "NOPE", "organizationId": "o", "payload": {}})
    assert status == 422 and body["detail"][0]["loc"] == ["body", "type"]
    assert services().queues.depth(QueueName.CONTEXT_SCRAPING).visible == 0  # nothing queued


def test_get_cancel_and_retry(jobs_cloud: dict) -> None:
    job_id = create(echo="x")
    status, job = call("GET", f"/jobs/{job_id}", job_id=job_id)
    assert (status, job["status"], job["payload"]) == (200, "PENDING", {"echo": "x"})

    status, job = call("POST", f"/jobs/{job_id}/retry", job_id=job_id)
    assert status == 409 and "PENDING" in job["message"]  # nothing to retry yet
    status, job = call("DELETE", f"/jobs/{job_id}", job_id=job_id)
    assert (status, job["status"]) == (200, "CANCELLED")
    assert call("DELETE", f"/jobs/{job_id}", job_id=job_id)[0] == 409
    status, job = call("POST", f"/jobs/{job_id}/retry", job_id=job_id)
    assert (status, job["status"], job["attempts"]) == (202, "PENDING", 0)

    assert call("GET", "/jobs/nope", job_id="nope")[0] == 404


def test_list_stats_and_health(jobs_cloud: dict) -> None:
    first, second = create("org-a"), create("org-a")
    create("org-b")
    status, page = call("GET", "/jobs", query={"organizationId": "org-a", "limit": "1"})
    assert status == 200 and [j["id"] for j in page["jobs"]] == [second]
    status, page = call("GET", "/jobs", query={"organizationId": "org-a", "cursor": page["nextCursor"]})
    assert [j["id"] for j in page["jobs"]] == [first] and page["nextCursor"] is None
    assert call("GET", "/jobs", query={"limit": "0"})[0] == 422

    status, stats = call("GET", "/jobs/stats")
    assert status == 200
    assert stats["queues"]["supporting"]["jobs"]["PENDING"] == 3
    assert stats["queues"]["supporting"]["messages"]["visible"] == 3

    status, health = call("GET", "/health")
    assert (status, health["status"]) == (200, "ok")


def test_openapi_documents_the_job_routes(jobs_cloud: dict) -> None:
    status, document = call("GET", "/openapi.json")
    assert status == 200
    assert {"/jobs", "/jobs/{job_id}", "/jobs/{job_id}/retry", "/jobs/stats", "/health"} <= set(document["paths"])
    assert "SCRAPE_WEBSITE: {sourceId, url, maxChars?}" in json.dumps(document)
