"""Evaluation runs, through Conveyor's GraphQL API: the organization's runs by status, a run
with its progress (a bar, and per model), its latest tasks and pause / resume / cancel;
and the evaluation queue: each job type by state (pg-boss's names), paused or consuming,
with pause / resume of the whole queue."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.links import job_queue_url
from console.web.actions import allow, done
from console.web.rendering import console_of, render

PAGE_LIMIT = 25
RECENT_TASKS = 20
RUN_STATUSES = ("PENDING", "RUNNING", "PAUSED", "COMPLETED", "CANCELLED")
LIVE_STATUSES = ("PENDING", "RUNNING")

_PROGRESS = (
    "progress { total completed failed percentComplete byModel { model total completed failed percentComplete } }"
)
RUNS = f"""query($status: RunStatus, $first: Int, $after: String) {{
  runs(status: $status, first: $first, after: $after) {{
    runs {{ id status priority models createdAt finishedAt definition {{ id name }} {_PROGRESS} }}
    nextToken
  }}
}}"""
RUN = f"""query($id: ID!, $recent: Int) {{
  run(id: $id) {{
    id status priority models samplePercentage sampleSeed experimentId createdBy
    createdAt startedAt pausedAt finishedAt
    definition {{ id name scenarioCount contentHash }}
    {_PROGRESS}
    recentTasks(limit: $recent) {{
      id model scenarioId scenarioName status attempts durationMs finishedAt error {{ type message retryable }}
    }}
  }}
}}"""
QUEUE = """{ queueStatus { paused jobTypes {
  jobType queue paused consumerState created retry active completed cancelled failed total
} } }"""
_ACTIONS = {"pause": "pauseRun", "resume": "resumeRun", "cancel": "cancelRun"}


def runs(request: Request) -> Response:
    status = request.query_params.get("status") or None
    status = status if status in RUN_STATUSES else None
    token = request.query_params.get("token") or None
    variables = {"status": status, "first": PAGE_LIMIT, "after": token}
    page = console_of(request).api.graphql(RUNS, variables)["runs"]
    live = any(run["status"] in LIVE_STATUSES for run in page["runs"])
    return render(request, "runs.html", live=live, page=page, status=status, statuses=RUN_STATUSES, token=token)


def run(request: Request) -> Response:
    variables = {"id": request.path_params["run_id"], "recent": RECENT_TASKS}
    found = console_of(request).api.graphql(RUN, variables)["run"]
    if found is None:
        raise HTTPException(404, f"No run {variables['id']} in your organization.")
    return render(request, "run.html", live=found["status"] in LIVE_STATUSES, run=found)


def act_on_run(request: Request) -> Response:
    allow(request)
    run_id, action = request.path_params["run_id"], request.path_params["action"]
    if action not in _ACTIONS:
        raise HTTPException(404, f"A run is paused, resumed or cancelled, not {action!r}.")
    mutation = _ACTIONS[action]
    operation = f"mutation($id: ID!) {{ {mutation}(id: $id) {{ status }} }}"
    changed = console_of(request).api.graphql(operation, {"id": run_id})
    return done(f"/runs/{run_id}", f"Run {changed[mutation]['status'].lower()}")


def queue(request: Request) -> Response:
    console = console_of(request)
    status = console.api.graphql(QUEUE)["queueStatus"]
    stack = console.stack.resources()
    urls = {t["queue"]: job_queue_url(t["queue"], stack) for t in status["jobTypes"]}
    sqs_names = {queue: url.rsplit("/", 1)[-1] for queue, url in urls.items() if url}
    live = any(job_type["active"] or job_type["created"] or job_type["retry"] for job_type in status["jobTypes"])
    return render(request, "evaluation_queue.html", live=live, queue=status, sqs_names=sqs_names)


def act_on_queue(request: Request) -> Response:
    allow(request)
    mutation = {"pause": "pauseQueue", "resume": "resumeQueue"}.get(request.path_params["action"])
    if mutation is None:
        raise HTTPException(404, "The queue is paused or resumed.")
    paused = console_of(request).api.graphql(f"mutation {{ {mutation} {{ paused }} }}")[mutation]["paused"]
    return done("/runs/queue", "Queue paused" if paused else "Queue resumed")


routes = [
    Route("/runs", runs),
    Route("/runs/queue", queue),
    Route("/runs/queue/{action:str}", act_on_queue, methods=["POST"]),
    Route("/runs/{run_id}", run),
    Route("/runs/{run_id}/{action:str}", act_on_run, methods=["POST"]),
]
