"""The demo task's Lambda steps and the flow's run-end functions, called as the state
machine calls them (its Parameters included)."""

from __future__ import annotations

import json
from types import ModuleType

import pytest

from conveyor.core.aws import AwsClients
from conveyor.core.errors import PermanentError, TransientError
from conveyor.durable.flow import FlowSettings, FlowSubmitter
from conveyor.durable.records import TaskStatus

from ...conftest import load_handler
from ..conftest import DurableResources, FakeLambdaContext

CONTEXT = FakeLambdaContext()
EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:demo-task:t-1"


@pytest.fixture
def steps(durable: DurableResources) -> ModuleType:
    return load_handler("demo_task/steps")


@pytest.fixture
def run_end(durable: DurableResources) -> ModuleType:
    return load_handler("durable_flow")


@pytest.fixture
def flow(durable: DurableResources) -> FlowSubmitter:
    return FlowSubmitter(FlowSettings.from_environment(), AwsClients())


def run_steps(steps: ModuleType, task: dict, run: int = 1) -> dict:
    """Initialize → process → (wait) → simulate-api-call → finalize, passing state along."""
    state: dict = {"task": task, "run": run, "steps": {}}
    state["steps"]["initialize"] = steps.initialize(state, CONTEXT)
    state["steps"]["process"] = steps.process(state, CONTEXT)
    state["steps"]["simulateApiCall"] = steps.simulate_api_call(state, CONTEXT)
    state["result"] = steps.finalize(state, CONTEXT)
    return state


def test_the_steps_produce_a_result_the_run_end_records(steps, run_end, flow: FlowSubmitter) -> None:
    flow.queue_new_run({"taskId": "t-1", "delayMs": 1500}, 0)
    state = run_steps(steps, {"taskId": "t-1", "delayMs": 1500})

    assert state["steps"]["initialize"]["delaySeconds"] == 2
    result = state["result"]
    assert (result["taskId"], result["status"]) == ("t-1", "completed")
    assert set(result["steps"]) == {"initialize", "process", "simulateApiCall"}
    assert result["durationMs"] >= 100  # process does ~100 ms of work
    task = flow.store.get_task("t-1")
    assert task.status == TaskStatus.QUEUED  # not SUCCEEDED until the run's result is published
    assert task.counters == {"processedCount": 1, "apiCallCount": 1}

    assert run_end.run_succeeded({"state": state, "executionArn": EXECUTION}, CONTEXT) == {"released": False}
    task = flow.store.get_task("t-1")
    assert (task.status, task.result) == (TaskStatus.SUCCEEDED, result)


def test_a_transient_failure_fails_fail_times_attempts_then_succeeds(steps, flow: FlowSubmitter) -> None:
    state = {"task": {"taskId": "t-2", "simulateFailure": True, "failTimes": 2}, "run": 1, "steps": {}}
    flow.queue_new_run(state["task"], 0)
    for _ in range(2):
        with pytest.raises(TransientError):
            steps.simulate_api_call(state, CONTEXT)
    assert steps.simulate_api_call(state, CONTEXT)["attempt"] == 3


def test_a_permanent_failure_fails_at_the_asked_step(steps) -> None:
    state = {"task": {"taskId": "t-3", "simulateFailure": True, "failAtStep": 2}, "run": 1, "steps": {}}
    steps.initialize(state, CONTEXT)
    with pytest.raises(PermanentError, match="process failed permanently"):
        steps.process(state, CONTEXT)


def test_the_failed_run_end_records_the_step_and_the_error(steps, run_end, flow: FlowSubmitter) -> None:
    state = {"task": {"taskId": "t-4", "simulateFailure": True}, "run": 1, "steps": {}}
    flow.queue_new_run(state["task"], 0)
    with pytest.raises(PermanentError):
        steps.simulate_api_call(state, CONTEXT)
    cause = '{"errorType": "PermanentError", "errorMessage": "simulate-api-call failed permanently"}'
    failed = {**state, "failure": {"Error": "PermanentError", "Cause": cause}}

    detail = run_end.run_failed({"state": failed, "executionArn": EXECUTION}, CONTEXT)

    assert detail == {
        "taskId": "t-4",
        "run": 1,
        "failedStep": "simulate-api-call",
        "attempts": 1,
        "error": {"type": "PermanentError", "message": "simulate-api-call failed permanently"},
    }
    task = flow.store.get_task("t-4")
    assert (task.status, task.error["step"]) == (TaskStatus.FAILED, "simulate-api-call")


def test_a_missing_variable_fails_the_cold_start_naming_it(durable, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TASKS_TABLE")
    with pytest.raises(Exception, match="TASKS_TABLE: Field required"):
        load_handler("demo_task/steps")


def status_change(task: dict, run: int, status: str, **extra: str) -> dict:
    """An `aws.states` Execution Status Change event, as the flow's rule delivers it."""
    detail = {"executionArn": EXECUTION, "status": status, "input": json.dumps({"task": task, "run": run}), **extra}
    return {"source": "aws.states", "detail-type": "Step Functions Execution Status Change", "detail": detail}


def test_an_execution_aborted_mid_run_leaves_a_failed_replayable_task(steps, run_end, flow: FlowSubmitter) -> None:
    task = {"taskId": "t-5"}
    flow.queue_new_run(task, 0)
    flow.store.record_execution("t-5", 1, EXECUTION, "2026-11-23T12:00:00.000Z")

    run_end.run_interrupted(status_change(task, 1, "ABORTED"), CONTEXT)

    record = flow.store.get_task("t-5")
    assert (record.status, record.error["type"]) == (TaskStatus.FAILED, "ExecutionAborted")
    assert flow.queue_replay("t-5").replay == 1


def test_a_run_that_recorded_its_failure_keeps_it_when_the_execution_fails(steps, run_end, flow: FlowSubmitter) -> None:
    task = {"taskId": "t-6", "simulateFailure": True, "failAtStep": 2}
    flow.queue_new_run(task, 0)
    failure = {"Error": "PermanentError", "Cause": "process failed permanently"}
    run_end.run_failed(
        {"state": {"task": task, "run": 1, "steps": {}, "failure": failure}, "executionArn": EXECUTION}, CONTEXT
    )

    run_end.run_interrupted(status_change(task, 1, "FAILED", error="PermanentError", cause="x"), CONTEXT)

    assert flow.store.get_task("t-6").error == {"type": "PermanentError", "message": "process failed permanently"}
