"""Memoized, recorded steps on the task store (moto DynamoDB)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from conveyor.core.aws import AwsClients
from conveyor.core.errors import PermanentError
from conveyor.durable.flow import FlowSettings, FlowSubmitter
from conveyor.durable.records import StepStatus, TaskStatus
from conveyor.durable.steps import DurableSteps, StepRun
from conveyor.durable.store import TaskStore

from ..conftest import DurableResources, FakeLambdaContext

calls: list[StepRun] = []


def counting(step: StepRun) -> dict:
    calls.append(step)
    if step.task.get("failUntil", 0) >= step.attempt:
        raise RuntimeError(f"attempt {step.attempt} fails")
    return {"attempt": step.attempt, "big": 10**20, "ratio": 0.5}


def effectful(step: StepRun) -> dict:
    calls.append(step)
    step.count("effect")
    if step.task.get("racingAttemptCommitsFirst"):  # an earlier attempt, thought dead, commits while this one runs
        earlier = step.store.transaction()
        step.store.count(earlier, step.task_id, "effect")
        step.store.step_succeeded(earlier, step.task_id, step.run, "effectful", {"by": "earlier"})
        earlier.commit()
    if step.task.get("failUntil", 0) >= step.attempt:
        raise RuntimeError("dies before committing")
    return {"by": f"attempt {step.attempt}"}


@pytest.fixture
def store(durable: DurableResources) -> TaskStore:
    calls.clear()
    return TaskStore(AwsClients().table(durable.tasks_table))


@pytest.fixture
def steps(store: TaskStore) -> DurableSteps:
    return DurableSteps(store, "demo-task")


def state(run: int | None = 1, **task: object) -> dict:
    event: dict[str, Any] = {"task": {"taskId": "t-1", **task}, "steps": {"earlier": {"x": 1}}}
    if run is not None:
        event["run"] = run
    return event


def submitted(store: TaskStore, durable: DurableResources, task_id: str = "t-1") -> None:
    """As the submission path leaves a task: queued, with its counters."""
    FlowSubmitter(FlowSettings.from_environment(), AwsClients()).queue_new_run({"taskId": task_id}, 0)


def test_a_step_runs_once_per_run_and_its_result_is_reused(steps: DurableSteps, store: TaskStore) -> None:
    step = steps.handler("count", counting)
    first = step(state(), FakeLambdaContext())
    again = step(state(), FakeLambdaContext())

    assert first == again == {"attempt": 1, "big": 10**20, "ratio": 0.5}
    assert len(calls) == 1
    assert calls[0].previous == {"earlier": {"x": 1}}
    record = store.get_step("t-1", "count")
    assert (record.status, record.attempts, record.run, record.reused) == (StepStatus.SUCCEEDED, 1, 1, 1)


def test_failed_attempts_are_counted_and_recorded(steps: DurableSteps, store: TaskStore) -> None:
    step = steps.handler("count", counting)
    for attempt in (1, 2):
        with pytest.raises(RuntimeError, match=f"attempt {attempt} fails"):
            step(state(failUntil=2), FakeLambdaContext())
        record = store.get_step("t-1", "count")
        assert (record.status, record.attempts, record.error["type"]) == (StepStatus.FAILED, attempt, "RuntimeError")

    assert step(state(failUntil=2), FakeLambdaContext())["attempt"] == 3
    assert store.get_step("t-1", "count").status == StepStatus.SUCCEEDED


def test_a_new_run_executes_the_step_again_from_attempt_one(steps: DurableSteps, store: TaskStore) -> None:
    step = steps.handler("count", counting)
    with pytest.raises(RuntimeError):
        step(state(run=1, failUntil=1), FakeLambdaContext())
    step(state(run=1, failUntil=1), FakeLambdaContext())

    assert step(state(run=2), FakeLambdaContext())["attempt"] == 1
    assert len(calls) == 3
    assert store.get_step("t-1", "count").run == 2


def test_a_finished_older_run_does_not_overwrite_the_newer_one(store: TaskStore, durable: DurableResources) -> None:
    submitted(store, durable)
    submitted(store, durable)  # a forced second run
    assert not store.record_failed("t-1", 1, {"type": "X", "message": "late"})
    assert store.get_task("t-1").status == TaskStatus.QUEUED

    assert store.record_succeeded("t-1", 2, {"ok": True})
    task = store.get_task("t-1")
    assert (task.status, task.result) == (TaskStatus.SUCCEEDED, {"ok": True})


def test_an_effect_is_applied_once_with_the_steps_success(
    steps: DurableSteps, store: TaskStore, durable: DurableResources
) -> None:
    submitted(store, durable)
    step = steps.handler("effectful", effectful)
    with pytest.raises(RuntimeError):
        step(state(failUntil=1), FakeLambdaContext())
    assert store.get_task("t-1").counters.get("effect", 0) == 0  # died before committing: nothing applied

    assert step(state(failUntil=1), FakeLambdaContext()) == {"by": "attempt 2"}
    assert step(state(failUntil=1), FakeLambdaContext()) == {"by": "attempt 2"}  # reused
    assert store.get_task("t-1").counters == {"effect": 1}


def test_an_attempt_that_loses_the_race_returns_the_committed_result(
    steps: DurableSteps, store: TaskStore, durable: DurableResources
) -> None:
    submitted(store, durable)
    result = steps.handler("effectful", effectful)(state(racingAttemptCommitsFirst=True), FakeLambdaContext())
    assert result == {"by": "earlier"}
    assert store.get_task("t-1").counters == {"effect": 1}


def test_a_step_of_a_replaced_run_stops_as_a_permanent_error(steps: DurableSteps) -> None:
    step = steps.handler("count", counting)
    step(state(run=2), FakeLambdaContext())
    with pytest.raises(PermanentError, match="SupersededRun: run 1 of t-1 was replaced") as raised:
        step(state(run=1), FakeLambdaContext())
    assert type(raised.value) is PermanentError  # the one name the state machines do not retry


def test_a_payload_that_fails_validation_is_a_permanent_error(steps: DurableSteps) -> None:
    with pytest.raises(PermanentError, match="ValidationError"):
        steps.handler("count", counting)({"run": 1}, FakeLambdaContext())


def test_a_step_renamed_in_a_new_deployment_runs_again_on_replay(steps: DurableSteps) -> None:
    steps.handler("count", counting)(state(), FakeLambdaContext())
    assert steps.handler("count-v2", counting)(state(), FakeLambdaContext())["attempt"] == 1
    assert len(calls) == 2


def test_a_run_started_directly_registers_its_task_at_its_first_step(steps: DurableSteps, store: TaskStore) -> None:
    steps.handler("count", counting)(state(run=None), FakeLambdaContext())

    task = store.get_task("t-1")
    assert (task.status, task.run, task.flow, task.request) == (TaskStatus.RUNNING, 1, "demo-task", {"taskId": "t-1"})


def test_a_submitted_run_is_not_registered_again(steps: DurableSteps, store: TaskStore, durable) -> None:
    submitted(store, durable)
    steps.handler("count", counting)(state(run=1), FakeLambdaContext())
    assert store.get_task("t-1").status == TaskStatus.QUEUED  # the dispatcher makes it RUNNING, not a step


def test_records_read_back_plain(store: TaskStore, durable: DurableResources) -> None:
    submitted(store, durable)
    item = boto3.resource("dynamodb").Table(durable.tasks_table).get_item(Key={"taskId": "t-1", "sk": "TASK"})["Item"]
    assert item["flow"] == "demo-task" and item["counters"] == {}
    assert store.get_task("t-1").model_dump(mode="json")["taskId"] == "t-1"


def test_tasks_are_read_by_the_hundred_and_missing_ones_left_out(store: TaskStore, durable: DurableResources) -> None:
    submitter = FlowSubmitter(FlowSettings.from_environment(), AwsClients())
    for number in range(105):
        submitter.queue_new_run({"taskId": f"t-{number}"}, 0)

    found = store.get_tasks([f"t-{number}" for number in range(105)] + ["t-0", "no-such-task"])

    assert sorted(found) == sorted(f"t-{number}" for number in range(105))
    assert found["t-7"].status is TaskStatus.QUEUED and found["t-7"].task_id == "t-7"
