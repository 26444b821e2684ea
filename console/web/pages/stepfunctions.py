"""Step Functions pages: state machines, their executions, and an execution's
summary, graph, table view, event history and step panel; start, stop, redrive."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.links import task_of_execution
from console.stepfunctions.graph import build_graph, state_definitions
from console.stepfunctions.history import StateStatus, StateVisit, derive_visits, event_details
from console.stepfunctions.layout import lay_out_cached
from console.stepfunctions.service import EXECUTION_STATUSES
from console.stepfunctions.status import node_statuses
from console.stepfunctions.timeline import timeline
from console.web.actions import allow, done
from console.web.rendering import console_of, execution_url, render

EXECUTIONS_PAGE = 50
EVENTS_PAGE = 50
REDRIVABLE_STATUSES = ("FAILED", "TIMED_OUT", "ABORTED")
EVENT_CATEGORIES = {
    "state": lambda kind: kind.endswith(("StateEntered", "StateExited")),
    "task": lambda kind: kind.startswith(("Task", "LambdaFunction", "Activity")),
    "execution": lambda kind: kind.startswith("Execution"),
    "map-parallel": lambda kind: kind.startswith(("Map", "Parallel")),
    "errors": lambda kind: kind.endswith(("Failed", "TimedOut", "Aborted")),
}


def state_machines(request: Request) -> Response:
    console = console_of(request)
    machines = console.stepfunctions.state_machines()
    ours = set(console.stack.resources().state_machine_arns)
    return render(request, "state_machines.html", machines=machines, ours=ours)


def state_machine(request: Request) -> Response:
    console = console_of(request)
    arn = request.path_params["arn"]
    machine = console.stepfunctions.state_machine(arn)
    status = request.query_params.get("status") or None
    if status and status not in EXECUTION_STATUSES:
        raise HTTPException(400, f"status must be one of {', '.join(EXECUTION_STATUSES)}")
    name = request.query_params.get("name", "").strip() or None
    page = console.stepfunctions.executions(
        arn, status=status, name=name, page_size=EXECUTIONS_PAGE, token=request.query_params.get("token")
    )
    drawing = lay_out_cached(machine["definition"])
    return render(
        request,
        "state_machine.html",
        live=any(e["status"] == "RUNNING" for e in page.executions),
        machine=machine,
        definition=machine["definition"],
        drawing=drawing,
        page=page,
        status=status,
        name=name or "",
        statuses_allowed=EXECUTION_STATUSES,
        now=datetime.now(UTC),
    )


def execution(request: Request) -> Response:
    view = request.query_params.get("view", "graph")
    if view not in ("graph", "table", "events"):
        raise HTTPException(400, "view must be graph, table or events")
    console = console_of(request)
    arn = request.path_params["arn"]
    sfn = console.stepfunctions
    described = sfn.execution(arn)
    definition = sfn.definition_for(described)
    parsed = json.loads(definition)
    history = sfn.history(arn)
    visits = derive_visits(history.events)
    now = datetime.now(UTC)
    running = described["status"] == "RUNNING"
    redrive = described["status"] in REDRIVABLE_STATUSES and described.get("redriveStatus") != "NOT_REDRIVABLE"
    context: dict[str, Any] = {
        "execution": described,
        "view": view,
        "visits": visits,
        "steps": _steps(visits, state_definitions(parsed)),
        "selected": request.query_params.get("state") or "",
        "task_id": task_of_execution(described, console.stack.resources()),
        "can_redrive": redrive and console.settings.actions and sfn.redrive_supported(arn),
        "truncated": history.truncated,
        "now": now,
        "statuses_legend": list(StateStatus),
    }
    if view == "graph":
        context["drawing"] = lay_out_cached(definition)
        context["statuses"] = node_statuses(build_graph(parsed), visits, described["status"])
        context["nested_without_events"] = any(s.inferred for s in context["statuses"].values())
    elif view == "table":
        context["timeline"] = timeline(visits, described["startDate"], described.get("stopDate"), now)
    else:
        context.update(_events_view(request, history.events, visits, described["startDate"]))
    return render(request, "execution.html", live=running, **context)


def _steps(visits: list[StateVisit], definitions: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The step panel of each state: its visits (newest first) and its retry and catch rules."""
    steps: dict[str, dict[str, Any]] = {
        name: {"definition": state, "visits": []} for name, state in definitions.items()
    }
    for visit in visits:
        steps.setdefault(visit.name, {"definition": {}, "visits": []})["visits"].insert(0, visit)
    return steps


def _events_view(
    request: Request, events: list[dict[str, Any]], visits: list[StateVisit], started: datetime
) -> dict[str, Any]:
    owner = {event_id: visit.name for visit in visits for event_id in visit.event_ids}
    category = request.query_params.get("category", "")
    state = request.query_params.get("event_state", "")
    text = request.query_params.get("q", "").strip().lower()
    if category and category not in EVENT_CATEGORIES:
        raise HTTPException(400, f"category must be one of {', '.join(EVENT_CATEGORIES)}")
    rows = []
    for event in events:
        kind = str(event["type"])
        details = event_details(event)
        row = {
            "id": event["id"],
            "type": kind,
            "state": owner.get(int(event["id"]), ""),
            "timestamp": event["timestamp"],
            "elapsed": (event["timestamp"] - started).total_seconds(),
            "details": details,
            "error": details.get("error"),
        }
        if category and not EVENT_CATEGORIES[category](kind):
            continue
        if state and row["state"] != state:
            continue
        if text and text not in json.dumps(details, default=str).lower() and text not in kind.lower():
            continue
        rows.append(row)
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        raise HTTPException(400, "page must be a number") from None
    pages = max(1, -(-len(rows) // EVENTS_PAGE))
    return {
        "events": rows[(number - 1) * EVENTS_PAGE : number * EVENTS_PAGE],
        "event_count": len(rows),
        "event_total": len(events),
        "event_page": min(number, pages),
        "event_pages": pages,
        "event_categories": list(EVENT_CATEGORIES),
        "event_states": sorted({name for name in owner.values()}),
        "category": category,
        "event_state": state,
        "q": text,
    }


async def start_execution(request: Request) -> Response:
    allow(request)
    form = await request.form()
    arn = request.path_params["arn"]
    text = str(form.get("input") or "{}").strip() or "{}"
    try:
        json.loads(text)
    except ValueError as error:
        raise HTTPException(400, f"The input is not JSON: {error}") from None
    name = str(form.get("name") or "").strip() or None
    started = await run_in_threadpool(console_of(request).stepfunctions.start, arn, text, name)
    return done(execution_url(started), "Execution started")


def stop_execution(request: Request) -> Response:
    allow(request)
    arn = request.path_params["arn"]
    console_of(request).stepfunctions.stop(arn)
    return done(execution_url(arn), "Execution stopped")


def redrive_execution(request: Request) -> Response:
    allow(request)
    arn = request.path_params["arn"]
    console_of(request).stepfunctions.redrive(arn)
    return done(execution_url(arn), "Execution redriven")


routes = [
    Route("/state-machines", state_machines),
    Route("/state-machines/{arn}", state_machine),
    Route("/state-machines/{arn}/executions", start_execution, methods=["POST"]),
    Route("/executions/{arn}", execution),
    Route("/executions/{arn}/stop", stop_execution, methods=["POST"]),
    Route("/executions/{arn}/redrive", redrive_execution, methods=["POST"]),
]
