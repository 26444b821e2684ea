"""How a run ends: recorded on the task, from the state the state machine hands over.

The state machine's last states call these: `record_succeeded` after the run's result
was published, `record_failed` from the `Catch` of any step, with the error it caught.
`record_interrupted` takes the Step Functions status-change event of an execution that
ended without reaching them (aborted, timed out, or failed outside a Catch). All are
conditional on the run number, so an older run never overwrites a newer one.
"""

from __future__ import annotations

import json
from typing import Any

from conveyor.durable.records import current_step
from conveyor.durable.steps import StepState
from conveyor.durable.store import TaskStore


def cause_message(cause: str) -> str:
    """A Lambda error's `Cause` is its JSON error payload; other causes are plain text."""
    try:
        payload = json.loads(cause)
    except (TypeError, ValueError):
        return cause or ""
    return str(payload.get("errorMessage", cause)) if isinstance(payload, dict) else cause


def record_interrupted(store: TaskStore, detail: dict[str, Any]) -> bool:
    """From an `aws.states` Execution Status Change event's detail: the run is FAILED (so it
    can be replayed) unless its last states recorded how it ended. False when nothing changed."""
    try:
        state = StepState.model_validate(json.loads(detail.get("input") or "{}"))
    except ValueError:
        return False  # not one of a durable flow's runs
    status = str(detail.get("status", "ABORTED"))
    error = {
        "type": detail.get("error") or f"Execution{status.title().replace('_', '')}",
        "message": cause_message(detail.get("cause") or f"the execution ended {status} before the run finished"),
    }
    return store.record_interrupted(state.task_id, state.run_number, error)


def record_succeeded(store: TaskStore, state: StepState, result: Any) -> None:
    store.record_succeeded(state.task_id, state.run_number, result)


def record_failed(store: TaskStore, state: StepState, failure: dict[str, str]) -> dict[str, Any]:
    """Mark the run FAILED with the step it failed in; returns the `*.failed` event detail."""
    steps = store.steps(state.task_id)
    step = current_step(steps, state.run_number)
    error: dict[str, Any] = {
        "type": failure.get("Error", "States.Runtime"),
        "message": cause_message(failure.get("Cause", "")),
    }
    if step:
        error["step"] = step
    store.record_failed(state.task_id, state.run_number, error)
    attempts = next((record.attempts for record in steps if record.name == step), 0)
    return {
        "taskId": state.task_id,
        "run": state.run_number,
        "failedStep": step,
        "attempts": attempts,
        "error": {"type": error["type"], "message": error["message"]},
    }
