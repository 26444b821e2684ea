"""The job HTTP API on the local cloud: every verb, with good and bad input, and who may
call it (a token's organization; the admin group across organizations)."""

from __future__ import annotations

from ...conftest import wait_for
from ..demo_tasks import api
from .client import ContentJobs, unique


def test_post_get_list_and_stats(jobs: ContentJobs) -> None:
    org = unique("org")
    job_id = jobs.create("NOOP", {"echo": "hi"}, org)

    done = jobs.wait(job_id)
    assert (done["status"], done["result"], done["attempts"]) == ("COMPLETED", {"echo": "hi"}, 1)
    assert done["queue"] == "supporting" and done["organizationId"] == org
    assert done["startedAt"] and done["finishedAt"]

    second = jobs.create("NOOP", {}, org)
    jobs.wait(second)
    status, page = jobs.api("GET", f"/jobs?organizationId={org}&limit=1")
    assert status == 200 and [j["id"] for j in page["jobs"]] == [second]  # newest first
    status, rest = jobs.api("GET", f"/jobs?organizationId={org}&limit=1&nextToken={page['nextToken']}")
    assert [j["id"] for j in rest["jobs"]] == [job_id]
    assert (
        rest["nextToken"] is None
        or jobs.api("GET", f"/jobs?organizationId={org}&nextToken={rest['nextToken']}")[1]["jobs"] == []
    )

    status, completed = jobs.api("GET", f"/jobs?organizationId={org}&status=COMPLETED&type=NOOP")
    assert status == 200 and {j["id"] for j in completed["jobs"]} == {job_id, second}
    assert jobs.api("GET", f"/jobs?organizationId={org}&status=FAILED")[1]["jobs"] == []

    status, stats = jobs.api("GET", "/jobs/stats")
    assert status == 200
    supporting = stats["queues"]["supporting"]
    assert supporting["jobs"]["COMPLETED"] >= 2
    assert set(supporting["messages"]) == {"visible", "inFlight", "delayed"} and "deadLetters" in supporting
    assert set(stats["queues"]) == {"content-generation", "context-scraping", "analytics-sync", "supporting"}


def test_bad_input_is_refused_with_the_field(jobs: ContentJobs) -> None:
    status, body = jobs.api("POST", "/jobs", {"type": "SCRAPE_WEBSITE", "payload": {"url": "x"}})
    assert status == 422
    assert {tuple(e["loc"]) for e in body["detail"]} == {("body", "payload", "sourceId"), ("body", "payload", "url")}

    status, body = jobs.api("POST", "/jobs", {"type": "MAKE_COFFEE", "payload": {}})
    assert status == 422 and [e["loc"] for e in body["detail"]] == [["body", "type"]]

    status, body = jobs.api("POST", "/jobs", {"type": "NOOP", "payload": {}, "delaySeconds": 901, "jobId": "a/b"})
    assert status == 422
    assert {tuple(e["loc"]) for e in body["detail"]} == {("body", "jobId"), ("body", "delaySeconds")}

    status, body = jobs.api("GET", "/jobs?status=LOST")
    assert status == 422 and body["detail"][0]["loc"] == ["query", "status"]
    status, body = jobs.api("GET", "/jobs?nextToken=bm90LWEta2V5")
    assert (status, body["code"], body["field"]) == (400, "BAD_REQUEST", "nextToken")
    status, body = jobs.api("GET", "/jobs/has%20space")
    assert (status, body["code"]) == (422, "VALIDATION_ERROR")


def test_unknown_ids_are_404(jobs: ContentJobs) -> None:
    missing = unique("missing")
    assert jobs.api("GET", f"/jobs/{missing}")[0] == 404
    assert jobs.api("DELETE", f"/jobs/{missing}")[0] == 404
    assert jobs.api("POST", f"/jobs/{missing}/retry")[0] == 404


def test_a_completed_job_can_be_neither_retried_nor_cancelled(jobs: ContentJobs) -> None:
    job_id = jobs.create("NOOP", {})
    jobs.wait(job_id)
    status, body = jobs.api("POST", f"/jobs/{job_id}/retry")
    assert status == 409 and "COMPLETED" in body["message"]
    assert jobs.api("DELETE", f"/jobs/{job_id}")[0] == 409


def test_the_same_job_id_twice_queues_one_job(jobs: ContentJobs) -> None:
    request = {"type": "NOOP", "payload": {}, "jobId": unique("mine")}
    first, again = jobs.api("POST", "/jobs", request), jobs.api("POST", "/jobs", request)
    assert (first[0], first[1]["duplicate"], again[0], again[1]["duplicate"]) == (202, False, 202, True)
    assert jobs.wait(request["jobId"])["attempts"] == 1


def test_health_and_the_openapi_document(jobs: ContentJobs) -> None:
    status, health = jobs.api("GET", "/health")
    assert status == 200 and health["status"] == "ok"
    assert set(health["checks"]) == {
        "table",
        *(f"queue:{q}" for q in ("content-generation", "context-scraping", "analytics-sync", "supporting")),
    }
    status, document = jobs.api("GET", "/openapi.json")
    assert status == 200
    assert {"/jobs", "/jobs/{job_id}", "/jobs/{job_id}/retry", "/jobs/stats", "/health"} <= set(document["paths"])
    assert set(document["paths"]["/jobs/{job_id}"]) == {"get", "delete"}


def test_without_a_token_nothing_is_answered(jobs: ContentJobs) -> None:
    for method, path in (("POST", "/jobs"), ("GET", "/jobs"), ("GET", "/jobs/x"), ("GET", "/jobs/stats")):
        status, body = api(jobs.cloud, method, path, {"type": "NOOP", "payload": {}}, token=None)
        assert (status, body["code"]) == (401, "UNAUTHENTICATED"), (method, path)


def test_a_member_sees_and_acts_on_their_organizations_jobs_only(jobs: ContentJobs) -> None:
    mine, theirs = unique("org-a"), unique("org-b")
    job_id = jobs.create("NOOP", {}, mine, delaySeconds=30)
    assert jobs.api("GET", f"/jobs/{job_id}", org=mine)[1]["organizationId"] == mine

    for method, path in (("GET", ""), ("DELETE", ""), ("POST", "/retry")):
        status, body = jobs.api(method, f"/jobs/{job_id}{path}", org=theirs)
        assert (status, body["code"]) == (403, "FORBIDDEN"), (method, path)
    assert jobs.api("GET", "/jobs", org=theirs)[1]["jobs"] == []
    status, body = jobs.api("GET", f"/jobs?organizationId={mine}", org=theirs)
    assert (status, body["field"]) == (403, "organizationId")
    status, body = jobs.api("POST", "/jobs", {"type": "NOOP", "payload": {}, "organizationId": mine}, org=theirs)
    assert (status, body["field"]) == (403, "organizationId")  # the body names no organization but the token's
    status, body = jobs.api("POST", "/jobs", {"type": "NOOP", "payload": {}, "jobId": job_id}, org=theirs)
    assert (status, body["field"]) == (409, "jobId")
    assert jobs.api("GET", "/jobs/stats", org=mine)[0] == 403  # every organization's counts: admins only

    # The developer user is an admin: it sees every organization's jobs and acts on them.
    assert [j["id"] for j in jobs.api("GET", f"/jobs?organizationId={mine}")[1]["jobs"]] == [job_id]
    assert jobs.api("DELETE", f"/jobs/{job_id}")[1]["status"] == "CANCELLED"
    assert jobs.api("GET", "/jobs/stats")[0] == 200


def test_a_batch_of_jobs_is_created_at_once_and_each_runs(jobs: ContentJobs) -> None:
    org = unique("org")
    # One organization's: 3 of them RUNNING at once on the tests' cloud (JobOrgRunningLimit).
    batch = [{"type": "NOOP", "payload": {"echo": str(index)}, "jobId": unique("batch")} for index in range(20)]

    status, body = jobs.api("POST", "/jobs/batch", {"jobs": batch}, org=org)

    assert status == 202, body
    assert (body["created"], body["duplicates"]) == (20, 0)

    def completed() -> list[dict]:
        found, token = [], ""
        while True:
            _, page = jobs.api("GET", f"/jobs?organizationId={org}&status=COMPLETED&limit=100{token}")
            found += page["jobs"]
            if not page["nextToken"]:
                return found
            token = f"&nextToken={page['nextToken']}"

    done = wait_for(lambda: len(runs := completed()) == len(batch) and runs, timeout=120, what="the batch to run")
    assert {(job["id"], job["result"]["echo"], job["attempts"]) for job in done} == {
        (job["jobId"], job["payload"]["echo"], 1) for job in batch
    }
    status, again = jobs.api("POST", "/jobs/batch", {"jobs": batch[:2]}, org=org)
    assert (status, again["duplicates"], [j["status"] for j in again["jobs"]]) == (202, 2, ["COMPLETED", "COMPLETED"])
