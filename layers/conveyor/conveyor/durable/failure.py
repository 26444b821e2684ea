"""Record why a run failed, from the error a state machine's `Catch` handed over."""

from __future__ import annotations

import json
from typing import Any

from conveyor.durable.steps import StepState
from conveyor.durable.store import TaskStore


def cause_message(cause: str) -> str:
    """A Lambda error's `Cause` is its JSON error payload; other causes are plain text."""
    try:
        payload = json.loads(cause)
    except (TypeError, ValueError):
        return cause or ""
    return str(payload.get("errorMessage", cause)) if isinstance(payload, dict) else cause


def record_run_failure(store: TaskStore, state: StepState, failure: dict[str, str]) -> dict[str, Any]:
    """Mark the run FAILED with the step it failed in; returns the `*.failed` event detail."""
    step = store.current_step(state.task_id, state.run)
    error = {"type": failure.get("Error", "States.Runtime"), "message": cause_message(failure.get("Cause", ""))}
    store.record_failed(state.task_id, state.run, step, error)
    record = store.get_step(state.task_id, step) if step else None
    attempts = record.attempts if record else 0
    return {"taskId": state.task_id, "run": state.run, "failedStep": step, "attempts": attempts, "error": error}
