"""Submitting `demo/task.requested`: the one path the queue and `POST /tasks` share."""

from __future__ import annotations

from conveyor.demo_task.models import DemoTaskRequested
from conveyor.durable.store import task_store
from conveyor.durable.submission import StartedRun, start_run
from conveyor.settings import settings


def submit(request: DemoTaskRequested) -> StartedRun:
    return start_run(task_store(), settings().demo_task_state_machine_arn, request.to_event())
