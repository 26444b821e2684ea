"""A job's life on the local cloud: backoff and the DLQ, retry, cancel, invalid
payloads, stalled workers, and the per-organization limit under a burst.

The test stack runs with backoff 1 s / 2 s / 3 s and an organization limit of 3
(conftest.JOB_PARAMETERS); production uses 1 / 5 / 15 minutes and 50.
"""

from __future__ import annotations

import json
import time
from datetime import datetime

from content_jobs.catalog import JobType, QueueName
from content_jobs.payloads import NoopPayload
from conveyor.jobs.records import NewJob
from conveyor.jobs.registry import JobPayload

from ...conftest import wait_for
from .client import ORG_LIMIT, ContentJobs, unique
from .local_http import Reply, html, local_http


class UncheckedImagePayload(JobPayload):
    """What an older producer might have queued: GENERATE_IMAGE's fields without its limits."""

    prompt: str
    width: int


PAGE = "<html><head><title>Post</title></head><body><article><p>Readable words.</p></article></body></html>"


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def test_failed_attempts_back_off_then_the_job_is_dead_lettered_and_retried_from_the_dlq(jobs: ContentJobs) -> None:
    with local_http() as site:
        site.on("GET", "/down", Reply(503, "busy"))
        job_id = jobs.create("SCRAPE_WEBSITE", {"sourceId": unique("src"), "url": f"{site.url}/down"})

        failed = jobs.wait(job_id, {"FAILED"})

        assert failed["attempts"] == 3 and len(site.hits("GET", "/down")) == 3
        assert failed["error"]["type"] == "TransientError" and "HTTP 503" in failed["error"]["message"]
        history = failed["history"]
        assert [h["outcome"] for h in history] == ["failed", "failed", "failed"]
        assert [h.get("retryInSeconds") for h in history] == [1, 2, None]  # the third failure is the last
        for before, after in zip(history, history[1:], strict=False):  # each retry waited its backoff
            assert _seconds(after["startedAt"]) - _seconds(before["finishedAt"]) >= before["retryInSeconds"] - 0.05
        [dead] = wait_for(lambda: jobs.dead_letters("ContextScraping", job_id), what="the job in the DLQ")
        assert "HTTP 503" in dead["MessageAttributes"]["ErrorReason"]["StringValue"]

        site.on("GET", "/down", html(PAGE))
        status, retried = jobs.api("POST", f"/jobs/{job_id}/retry")
        assert (status, retried["status"], retried["attempts"]) == (202, "PENDING", 0)
        done = jobs.wait(job_id)
        assert (done["status"], done["attempts"]) == ("COMPLETED", 1)
        assert jobs.dead_letters("ContextScraping", job_id) == []  # taken out of the DLQ


def test_cancel_before_processing_means_it_never_runs(jobs: ContentJobs) -> None:
    with local_http() as site:
        site.on("GET", "/page", html(PAGE))
        job_id = jobs.create("SCRAPE_WEBSITE", {"sourceId": unique("src"), "url": f"{site.url}/page"}, delaySeconds=2)
        status, cancelled = jobs.api("DELETE", f"/jobs/{job_id}")
        assert (status, cancelled["status"]) == (200, "CANCELLED")

        # The delivery arrives after the delay and is dropped, not run.
        wait_for(lambda: jobs.store.get(job_id).skipped >= 1, what="the cancelled job's delivery")
        job = jobs.get(job_id)
        assert (job["status"], job["attempts"], job["startedAt"]) == ("CANCELLED", 0, None)
        assert site.hits("GET", "/page") == []


def test_cancel_during_processing_discards_the_late_result(jobs: ContentJobs) -> None:
    source = unique("src")
    with local_http() as site:
        site.on("GET", "/slow", html(PAGE, delay=3))
        job_id = jobs.create("SCRAPE_WEBSITE", {"sourceId": source, "url": f"{site.url}/slow"})
        wait_for(lambda: site.hits("GET", "/slow"), what="the scrape to start")
        assert jobs.get(job_id)["status"] == "RUNNING"

        assert jobs.api("DELETE", f"/jobs/{job_id}")[1]["status"] == "CANCELLED"

        # The page arrives after the cancel: the worker stops before storing anything.
        wait_for(lambda: jobs.store.get(job_id).skipped >= 1, timeout=30, what="the attempt to be discarded")
        job = jobs.get(job_id)
        assert (job["status"], job["result"]) == ("CANCELLED", None)
        assert jobs.data.query(f"SOURCE#{source}", "ITEM#") == []


def test_retry_of_a_cancelled_job_runs_it(jobs: ContentJobs) -> None:
    job_id = jobs.create("NOOP", {"echo": "later"}, delaySeconds=5)
    jobs.api("DELETE", f"/jobs/{job_id}")
    assert jobs.api("POST", f"/jobs/{job_id}/retry")[0] == 202
    assert jobs.wait(job_id)["result"] == {"echo": "later"}


def test_an_invalid_payload_fails_once_without_retries_and_says_why(jobs: ContentJobs) -> None:
    # A producer that bypasses the API (or an older schema) queues a bad payload.
    job_id = unique("bad")
    new = NewJob(job_id, JobType.GENERATE_IMAGE, unique("org"), UncheckedImagePayload(prompt="x", width=99999))
    jobs.store.create(new, QueueName.SUPPORTING)
    jobs.cloud.client("sqs").send_message(
        QueueUrl=jobs.outputs["SupportingQueueUrl"],
        MessageBody=json.dumps({"jobId": job_id, "type": "GENERATE_IMAGE", "delivery": 1}),
    )

    failed = jobs.wait(job_id)

    assert (failed["status"], failed["attempts"], failed["error"]["type"]) == ("FAILED", 0, "InvalidPayload")
    assert "prompt: String should have at least 3 characters" in failed["error"]["message"]
    assert "width: Input should be less than or equal to 2048" in failed["error"]["message"]
    [dead] = wait_for(lambda: jobs.dead_letters("Supporting", job_id), what="the bad job in the DLQ")
    assert "InvalidPayload" in dead["MessageAttributes"]["ErrorReason"]["StringValue"]


def test_a_stalled_job_goes_back_to_pending_and_runs_again(jobs: ContentJobs) -> None:
    # A worker took the job and died: RUNNING, heartbeat long gone, its message lost with it.
    job_id = unique("stalled")
    an_hour_ago = jobs.store_at(lambda: time.time() - 3600)
    created = an_hour_ago.create(NewJob(job_id, JobType.NOOP, unique("org"), NoopPayload(echo="again")), "supporting")
    dead_worker = an_hour_ago.start(created, ORG_LIMIT)

    released = jobs.invoke("SweeperFunctionName", {})

    assert job_id in released["released"]
    done = jobs.wait(job_id)
    assert (done["status"], done["attempts"], done["stalls"], done["result"]) == ("COMPLETED", 1, 1, {"echo": "again"})
    assert [h["outcome"] for h in done["history"]] == ["stalled", "completed"]  # the stall spent no attempt
    assert jobs.store.counters.org_running(dead_worker.organization_id) == 0


def test_a_job_whose_sender_died_before_sending_its_message_is_delivered(jobs: ContentJobs) -> None:
    # The API worker wrote the record and died before sending the message: the record owes it.
    swept = unique("stuck")
    jobs.store_at(lambda: time.time() - 3600).create(NewJob(swept, JobType.NOOP, "local", NoopPayload()), "supporting")

    jobs.invoke("SweeperFunctionName", {})  # (or its every-minute schedule) sends the overdue message
    done = jobs.wait(swept)
    assert (done["status"], done["attempts"]) == ("COMPLETED", 1)

    retried = unique("stuck")  # just now: not overdue yet, but the client retries its POST
    jobs.store.create(NewJob(retried, JobType.NOOP, "local", NoopPayload()), "supporting")
    status, again = jobs.api("POST", "/jobs", {"type": "NOOP", "payload": {}, "jobId": retried})
    assert (status, again["duplicate"]) == (202, True)  # the existing job, sent now
    assert jobs.wait(retried, timeout=30)["status"] == "COMPLETED"


def test_an_organization_runs_at_most_its_limit_and_every_job_completes(jobs: ContentJobs) -> None:
    org, burst = unique("busy-org"), 10
    with local_http() as site:
        # Each fetch holds its job's slot 1.5 s: long enough for the jobs to overlap on a loaded machine.
        site.on("GET", "/page", html(PAGE, delay=1.5))
        ids = [
            jobs.create("SCRAPE_WEBSITE", {"sourceId": unique("src"), "url": f"{site.url}/page"}, org)
            for _ in range(burst)
        ]
        other = jobs.create("NOOP", {})  # another organization is not held up

        assert jobs.wait(other)["status"] == "COMPLETED"
        done = [jobs.wait(job_id, timeout=120) for job_id in ids]

        # A job holds its organization's slot for the whole fetch, so the pages being
        # served at one moment are the organization's RUNNING jobs at that moment.
        assert site.peak_in_flight == ORG_LIMIT  # the limit is reached and never passed
    assert {job["status"] for job in done} == {"COMPLETED"}
    assert len(site.hits("GET", "/page")) == burst  # waiting for a slot is no attempt: none was lost or doubled
    assert jobs.store.counters.org_running(org) == 0
