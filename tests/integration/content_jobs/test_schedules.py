"""Schedule firings on the local cloud: deterministic ids, dedup of a repeated
firing, skipping while the previous job is active, and a real EventBridge
Scheduler firing (with the scheduler_context_attributes fix)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from ...conftest import wait_for
from .client import ContentJobs, unique
from .local_http import Reply, local_http

POSTS = {"posts": [{"id": "p1", "publishedAt": "2026-11-01T09:00:00Z", "impressions": 10, "likes": 1}]}


def fire(jobs: ContentJobs, when: str) -> dict:
    return jobs.invoke("SchedulerFunctionName", {"schedule": "analytics", "scheduledTime": when})


def test_a_repeated_firing_queues_nothing_twice_and_an_active_job_blocks_the_next(jobs: ContentJobs) -> None:
    with local_http() as platform:
        account = jobs.connect_account(platform.url, unique("org"))
        path = f"/v1/accounts/{account}/posts"
        platform.on("GET", path, Reply(200, POSTS, delay=3), Reply(200, POSTS))
        first_id = f"SYNC_ANALYTICS-{account}-20260102T100000Z"

        first = fire(jobs, "2026-01-02T10:00:00Z")
        repeated = fire(jobs, "2026-01-02T10:00:00Z")
        assert first_id in first["created"]
        assert first_id in repeated["duplicates"] and first_id not in repeated["created"]

        wait_for(lambda: platform.hits("GET", path), what="the first sync to be running")
        overlapping = fire(jobs, "2026-01-02T11:00:00Z")
        assert f"SYNC_ANALYTICS-{account}-20260102T110000Z" in overlapping["skippedActive"]

        assert jobs.wait(first_id)["status"] == "COMPLETED"
        later = fire(jobs, "2026-01-02T12:00:00Z")
        assert f"SYNC_ANALYTICS-{account}-20260102T120000Z" in later["created"]
        assert jobs.wait(f"SYNC_ANALYTICS-{account}-20260102T120000Z")["scheduleId"] == account

    ids = [j["id"] for j in jobs.api("GET", "/jobs?type=SYNC_ANALYTICS&limit=100")[1]["jobs"] if account in j["id"]]
    assert sorted(ids) == [first_id, f"SYNC_ANALYTICS-{account}-20260102T120000Z"]


def test_an_eventbridge_scheduler_firing_creates_jobs_named_by_its_time(jobs: ContentJobs) -> None:
    """scheduler_context_attributes: <aws.scheduler.scheduled-time> arrives filled in."""
    cloud = jobs.cloud
    with local_http() as platform:
        account = jobs.connect_account(platform.url, unique("org"))
        platform.on("GET", f"/v1/accounts/{account}/posts", Reply(200, POSTS))
        function_arn = cloud.client("lambda").get_function(FunctionName=jobs.outputs["SchedulerFunctionName"])[
            "Configuration"
        ]["FunctionArn"]
        at = (datetime.now(UTC) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S")
        cloud.client("scheduler").create_schedule(
            Name=unique("analytics-now"),
            ScheduleExpression=f"at({at})",
            FlexibleTimeWindow={"Mode": "OFF"},
            ActionAfterCompletion="DELETE",
            Target={
                "Arn": function_arn,
                "RoleArn": "arn:aws:iam::000000000000:role/scheduler",
                "Input": '{"schedule": "analytics", "scheduledTime": "<aws.scheduler.scheduled-time>"}',
            },
        )
        started = time.time()

        def scheduled_job() -> dict | None:
            page = jobs.api("GET", "/jobs?type=SYNC_ANALYTICS&limit=100")[1]["jobs"]
            return next((j for j in page if j["id"].startswith(f"SYNC_ANALYTICS-{account}-")), None)

        job = wait_for(scheduled_job, timeout=40, interval=1, what="the scheduled firing's job")
        stamp = datetime.strptime(job["id"].rsplit("-", 1)[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        assert abs(stamp.timestamp() - started) < 30  # the firing's own time, not a placeholder
        assert jobs.wait(job["id"])["status"] == "COMPLETED"
