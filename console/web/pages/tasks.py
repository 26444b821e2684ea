"""Demo task pages, through Conveyor's API: tasks by status, a task with its steps as a
waterfall and a link to its execution, and replay of a failed task."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.conveyor_api import TASK_STATUSES, ConveyorApi
from console.waterfall import waterfall
from console.web.actions import allow, done
from console.web.rendering import console_of, render, task_url

OVERVIEW_LIMIT = 10
PAGE_LIMIT = 50


def _api(request: Request) -> ConveyorApi:
    return console_of(request).api


def tasks(request: Request) -> Response:
    api = _api(request)
    status = request.query_params.get("status")
    if status:
        if status not in TASK_STATUSES:
            raise HTTPException(400, f"status must be one of {', '.join(TASK_STATUSES)}")
        pages = {status: api.tasks(status, PAGE_LIMIT, request.query_params.get("token"))}
    else:  # the newest few of every status
        pages = {each: api.tasks(each, OVERVIEW_LIMIT) for each in TASK_STATUSES}
    live = any(pages.get(s) and pages[s].items for s in ("QUEUED", "RUNNING"))
    return render(request, "tasks.html", live=live, pages=pages, status=status, statuses=TASK_STATUSES)


def task(request: Request) -> Response:
    found = _api(request).task(request.path_params["task_id"])
    now = datetime.now(UTC)
    return render(
        request,
        "task.html",
        live=found.get("status") in ("QUEUED", "RUNNING"),
        task=found,
        waterfall=waterfall(found, now),
        now=now,
    )


def replay(request: Request) -> Response:
    allow(request)
    task_id = request.path_params["task_id"]
    accepted = _api(request).replay_task(task_id)
    return done(task_url(task_id), f"Replay queued as execution {accepted.get('executionName', '')}")


routes = [
    Route("/tasks", tasks),
    Route("/tasks/{task_id}", task),
    Route("/tasks/{task_id}/replay", replay, methods=["POST"]),
]
