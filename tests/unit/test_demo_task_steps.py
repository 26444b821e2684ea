"""The demo task's Lambda steps, called as the state machine calls them."""

from __future__ import annotations

import pytest

from conveyor.demo_task import flow
from conveyor.durable.errors import PermanentStepError, TransientStepError
from conveyor.durable.store import task_store
from conveyor.durable.submission import queue_new_run

from ..conftest import load_handler
from .conftest import FakeLambdaContext

steps = load_handler("demo_task_steps")
CONTEXT = FakeLambdaContext()


def run_steps(task: dict, run: int = 1) -> dict:
    """Initialize → process → (wait) → simulate-api-call → finalize, passing state along."""
    state: dict = {"task": task, "run": run, "steps": {}}
    state["steps"]["initialize"] = steps.initialize(state, CONTEXT)
    state["steps"]["process"] = steps.process(state, CONTEXT)
    state["steps"]["simulateApiCall"] = steps.simulate_api_call(state, CONTEXT)
    state["result"] = steps.finalize(state, CONTEXT)
    return state


def test_the_steps_produce_a_demo_task_result_and_a_succeeded_task(cloud: dict) -> None:
    state = run_steps({"taskId": "t-1", "delayMs": 1500})

    assert state["steps"]["initialize"]["delaySeconds"] == 2
    result = state["result"]
    assert result["taskId"] == "t-1"
    assert result["status"] == "completed"
    assert set(result["steps"]) == {"initialize", "process", "simulateApiCall"}
    assert result["durationMs"] >= 100  # process does ~100 ms of work
    task = task_store().get_task("t-1")
    assert task["status"] == "SUCCEEDED"


def test_a_transient_failure_fails_fail_times_attempts_then_succeeds(cloud: dict) -> None:
    state = {"task": {"taskId": "t-2", "simulateFailure": True, "failTimes": 2}, "run": 1, "steps": {}}
    for _ in range(2):
        with pytest.raises(TransientStepError):
            steps.simulate_api_call(state, CONTEXT)
    assert steps.simulate_api_call(state, CONTEXT)["attempt"] == 3


def test_a_permanent_failure_fails_at_the_asked_step(cloud: dict) -> None:
    state = {"task": {"taskId": "t-3", "simulateFailure": True, "failAtStep": 2}, "run": 1, "steps": {}}
    steps.initialize(state, CONTEXT)
    with pytest.raises(PermanentStepError, match="process failed permanently"):
        steps.process(state, CONTEXT)


def test_record_failure_marks_the_task_failed_at_its_current_step(cloud: dict) -> None:
    state = {"task": {"taskId": "t-4", "simulateFailure": True}, "run": 1, "steps": {}}
    queue_new_run(task_store(), flow.waiting_list(), state["task"], priority=0)
    with pytest.raises(PermanentStepError):
        steps.simulate_api_call(state, CONTEXT)
    cause = '{"errorType": "PermanentStepError", "errorMessage": "simulate-api-call failed permanently"}'

    detail = steps.record_failure({**state, "failure": {"Error": "PermanentStepError", "Cause": cause}}, CONTEXT)

    assert detail == {
        "taskId": "t-4",
        "run": 1,
        "failedStep": "simulate-api-call",
        "attempts": 1,
        "error": {"type": "PermanentStepError", "message": "simulate-api-call failed permanently"},
    }
    task = task_store().get_task("t-4")
    assert task["status"] == "FAILED"
    assert task["error"]["step"] == "simulate-api-call"
