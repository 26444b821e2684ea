"""Job pages, through Conveyor's API: queue stats, jobs by filter, a job with its history,
its queue and its dead letter; cancel and retry."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.conveyor_api import JOB_STATUSES
from console.links import job_queue_url
from console.queues import Message
from console.web.actions import allow, done
from console.web.rendering import console_of, job_url, render

PAGE_LIMIT = 50
FILTERS = ("status", "type", "organizationId", "queue")


def jobs(request: Request) -> Response:
    api = console_of(request).api
    filters = {name: request.query_params.get(name, "").strip() or None for name in FILTERS}
    if filters["status"] and filters["status"] not in JOB_STATUSES:
        raise HTTPException(400, f"status must be one of {', '.join(JOB_STATUSES)}")
    stats = api.job_stats().get("queues", {})
    page = api.jobs(filters, PAGE_LIMIT, request.query_params.get("token"))
    live = any(job.get("status") in ("PENDING", "RUNNING") for job in page.items)
    live = live or any(queue.get("active") for queue in stats.values())
    return render(request, "jobs.html", live=live, stats=stats, page=page, filters=filters, statuses=JOB_STATUSES)


def job(request: Request) -> Response:
    console = console_of(request)
    found = console.api.job(request.path_params["job_id"])
    stack = console.stack.resources()
    queue = None
    dead_letter = None
    dead_letters: list[Message] = []
    queue_url = job_queue_url(str(found.get("queue", "")), stack)
    if queue_url:
        queue = console.queues.queue(queue_url)
        dlq_name = queue.dead_letter_name
        if dlq_name and found.get("status") in ("FAILED", "CANCELLED"):
            dead_letter = console.queues.queue(console.queues.url_of(dlq_name))
            dead_letters = [m for m in console.queues.peek(dead_letter.url) if _job_id(m.body) == found.get("id")]
    return render(
        request,
        "job.html",
        live=found.get("status") in ("PENDING", "RUNNING"),
        job=found,
        queue=queue,
        dead_letter=dead_letter,
        dead_letters=dead_letters,
    )


def _job_id(body: str) -> str | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed.get("jobId") if isinstance(parsed, dict) else None


def cancel(request: Request) -> Response:
    allow(request)
    job_id = request.path_params["job_id"]
    cancelled = console_of(request).api.cancel_job(job_id)
    return done(job_url(job_id), f"Job {cancelled.get('status', 'cancelled').lower()}")


def retry(request: Request) -> Response:
    allow(request)
    job_id = request.path_params["job_id"]
    console_of(request).api.retry_job(job_id)
    return done(job_url(job_id), "Job queued again")


routes = [
    Route("/jobs", jobs),
    Route("/jobs/{job_id}", job),
    Route("/jobs/{job_id}/cancel", cancel, methods=["POST"]),
    Route("/jobs/{job_id}/retry", retry, methods=["POST"]),
]
