"""Memoized, recorded steps on the task store (moto DynamoDB)."""

from __future__ import annotations

import pytest

from conveyor.demo_task import flow
from conveyor.durable.steps import StepRun, durable_step
from conveyor.durable.store import task_store
from conveyor.durable.submission import queue_new_run

from .conftest import FakeLambdaContext

calls: list[StepRun] = []


@durable_step("count")
def counting_step(step: StepRun) -> dict:
    calls.append(step)
    if step.task.get("failUntil", 0) >= step.attempt:
        raise RuntimeError(f"attempt {step.attempt} fails")
    return {"attempt": step.attempt, "big": 10**20, "ratio": 0.5}


@pytest.fixture(autouse=True)
def reset_calls() -> None:
    calls.clear()


def state(run: int = 1, **task: object) -> dict:
    return {"task": {"taskId": "t-1", **task}, "run": run, "steps": {"earlier": {"x": 1}}}


def test_a_step_runs_once_per_run_and_its_result_is_reused(cloud: dict) -> None:
    first = counting_step(state(), FakeLambdaContext())
    again = counting_step(state(), FakeLambdaContext())

    assert first == again == {"attempt": 1, "big": 10**20, "ratio": 0.5}
    assert len(calls) == 1
    assert calls[0].previous == {"earlier": {"x": 1}}
    record = task_store().get_step("t-1", "count")
    assert (record.status, record.attempts, record.run) == ("SUCCEEDED", 1, 1)


def test_failed_attempts_are_counted_and_recorded(cloud: dict) -> None:
    for attempt in (1, 2):
        with pytest.raises(RuntimeError, match=f"attempt {attempt} fails"):
            counting_step(state(failUntil=2), FakeLambdaContext())
        record = task_store().get_step("t-1", "count")
        assert (record.status, record.attempts) == ("FAILED", attempt)

    assert counting_step(state(failUntil=2), FakeLambdaContext()) == {"attempt": 3, "big": 10**20, "ratio": 0.5}
    assert task_store().get_step("t-1", "count").status == "SUCCEEDED"


def test_a_new_run_executes_the_step_again_from_attempt_one(cloud: dict) -> None:
    with pytest.raises(RuntimeError):
        counting_step(state(run=1, failUntil=1), FakeLambdaContext())
    counting_step(state(run=1, failUntil=1), FakeLambdaContext())

    result = counting_step(state(run=2), FakeLambdaContext())

    assert result["attempt"] == 1
    assert len(calls) == 3
    assert task_store().get_step("t-1", "count").run == 2


def test_a_finished_older_run_does_not_overwrite_the_newer_one(cloud: dict) -> None:
    store = task_store()
    for _ in range(2):
        queue_new_run(store, flow.waiting_list(), {"taskId": "t-1"}, priority=0)
    store.record_failed("t-1", 1, "count", {"type": "X", "message": "late"})
    assert store.get_task("t-1")["status"] == "QUEUED"

    store.record_succeeded("t-1", 2, {"ok": True})
    task = store.get_task("t-1")
    assert (task["status"], task["resultJson"]) == ("SUCCEEDED", '{"ok": true}')


@durable_step("effectful")
def effectful_step(step: StepRun) -> dict:
    calls.append(step)
    step.effects.append(task_store().count_update(step.task["taskId"], "effectCount"))
    racing = step.task.get("racingAttemptCommitsFirst")
    if racing:  # an earlier attempt, thought dead, commits while this one runs
        task_store().step_succeeded(step.task["taskId"], step.run, "effectful", {"by": "earlier"}, list(step.effects))
    if step.task.get("failUntil", 0) >= step.attempt:
        raise RuntimeError("dies before committing")
    return {"by": f"attempt {step.attempt}"}


def effect_count(task_id: str = "t-1") -> int:
    return int((task_store().get_task(task_id) or {}).get("effectCount", 0))


def test_an_effect_is_applied_once_with_the_steps_success(cloud: dict) -> None:
    with pytest.raises(RuntimeError):
        effectful_step(state(failUntil=1), FakeLambdaContext())
    assert effect_count() == 0  # died before committing: nothing applied

    assert effectful_step(state(failUntil=1), FakeLambdaContext()) == {"by": "attempt 2"}
    assert effectful_step(state(failUntil=1), FakeLambdaContext()) == {"by": "attempt 2"}  # reused
    assert effect_count() == 1


def test_an_attempt_that_loses_the_race_returns_the_committed_result(cloud: dict) -> None:
    result = effectful_step(state(racingAttemptCommitsFirst=True), FakeLambdaContext())
    assert result == {"by": "earlier"}
    assert effect_count() == 1


def test_a_step_of_a_replaced_run_stops(cloud: dict) -> None:
    from conveyor.durable.errors import SupersededRunError

    counting_step(state(run=2), FakeLambdaContext())
    with pytest.raises(SupersededRunError):
        counting_step(state(run=1), FakeLambdaContext())


def test_a_step_renamed_in_a_new_deployment_runs_again_on_replay(cloud: dict) -> None:
    counting_step(state(), FakeLambdaContext())

    @durable_step("count-v2")  # the same code under a new step name
    def renamed(step: StepRun) -> dict:
        calls.append(step)
        return {"renamed": True}

    assert renamed(state(), FakeLambdaContext()) == {"renamed": True}
    assert len(calls) == 2
