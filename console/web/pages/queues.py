"""Queue pages: every queue of the stack with its counts and DLQ; a queue's
attributes; a DLQ's messages (read without consuming them), redrive with its
progress, and purge after a confirmation."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.context import Console
from console.queues import Queue
from console.web.actions import allow, done
from console.web.rendering import console_of, queue_url, render

PEEK_LIMIT = 50


def _stack_queues(console: Console) -> list[Queue]:
    """The stack's queues, or every queue when there is no stack to go by."""
    stack = console.stack.resources()
    urls = stack.queue_urls if stack.exists else console.queues.urls()
    return console.queues.describe(urls)


def queues(request: Request) -> Response:
    console = console_of(request)
    described = _stack_queues(console)
    by_arn = {queue.arn: queue for queue in described}
    busy = any(q.visible or q.in_flight or q.delayed for q in described if not q.is_dead_letter_queue)
    return render(request, "queues.html", live=busy, queues=described, by_arn=by_arn)


def queue(request: Request) -> Response:
    console = console_of(request)
    name = request.path_params["name"]
    url = console.queues.url_of(name)
    every = {q.name: q for q in _stack_queues(console)}
    described = every.get(name) or console.queues.queue(url)
    if name not in every:  # a queue outside the stack: find its sources among the stack's queues
        described.sources = [q.name for q in every.values() if q.dead_letter_arn == described.arn]
    dead_letter = next((q for q in every.values() if q.arn == described.dead_letter_arn), None)
    messages = console.queues.peek(url, PEEK_LIMIT) if described.is_dead_letter_queue else []
    tasks = console.queues.move_tasks(described.arn) if described.is_dead_letter_queue else []
    moving = any(task.get("Status") == "RUNNING" for task in tasks)
    return render(
        request,
        "queue.html",
        live=moving or described.in_flight > 0,
        queue=described,
        dead_letter=dead_letter,
        messages=messages,
        peek_limit=PEEK_LIMIT,
        move_tasks=tasks,
        highlight=request.query_params.get("message", ""),
    )


async def redrive(request: Request) -> Response:
    """Move a DLQ's messages to the source queue chosen (by default its only source), or
    to the queues SQS moved them from: a message a consumer sent to the DLQ itself
    (Conveyor's jobs do, with an ErrorReason) has no such origin, so SQS needs a destination."""
    allow(request)
    console = console_of(request)
    name = request.path_params["name"]
    destination = str((await request.form()).get("destination") or "")

    def start() -> None:
        every = {q.name: q for q in _stack_queues(console)}
        described = every.get(name) or console.queues.queue(console.queues.url_of(name))
        target = every.get(destination)
        if destination and (target is None or target.dead_letter_arn != described.arn):
            raise HTTPException(400, f"{destination} is not a source queue of {name}")
        console.queues.start_redrive(described.arn, target.arn if target else None)

    await run_in_threadpool(start)
    where = destination or "the queues they came from"
    return done(queue_url(name), f"Redrive started: messages move back to {where}")


async def purge(request: Request) -> Response:
    console = console_of(request)
    name = request.path_params["name"]
    if request.method == "GET":
        described = await run_in_threadpool(lambda: console.queues.queue(console.queues.url_of(name)))
        return render(request, "purge.html", queue=described)
    allow(request)
    form = await request.form()
    if str(form.get("confirm", "")).strip() != name:
        raise HTTPException(400, f"Type the queue's name ({name}) to confirm the purge; nothing was deleted.")
    await run_in_threadpool(lambda: console.queues.purge(console.queues.url_of(name)))
    return done(queue_url(name), "Purged: every message of the queue is deleted (SQS takes up to 60 s)")


routes = [
    Route("/queues", queues),
    Route("/queues/{name}", queue),
    Route("/queues/{name}/redrive", redrive, methods=["POST"]),
    Route("/queues/{name}/purge", purge, methods=["GET", "POST"]),
]
