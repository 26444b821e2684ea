"""Runs: created whole with their plan, moved only by the table of transitions, counted exactly
once per job, COMPLETED when nothing remains; their tasks newest first."""

from __future__ import annotations

import pytest

from conveyor.core.auth import Caller
from conveyor.core.dynamo import TransactionCancelled
from evaluation.runs.records import Run
from evaluation.runs.status import TRANSITIONS, RunAction, RunStateError, RunStatus, target
from evaluation.runs.store import RunStore

from ..conftest import MEMBER
from .conftest import Harness

CALLER = Caller.from_claims(MEMBER)


def start(
    harness: Harness, definition: str = "sample-smoke", models: tuple[str, ...] = ("local/a", "local/b"), **options
) -> Run:
    return harness.api.start_run(CALLER, {"definition_id": definition, "models": list(models), **options})


def store(harness: Harness) -> RunStore:
    return harness.api.runs


@pytest.mark.parametrize(
    ("action", "status", "to"),
    [
        (RunAction.PAUSE, RunStatus.PENDING, RunStatus.PAUSED),
        (RunAction.PAUSE, RunStatus.RUNNING, RunStatus.PAUSED),
        (RunAction.RESUME, RunStatus.PAUSED, RunStatus.RUNNING),
        (RunAction.CANCEL, RunStatus.RUNNING, RunStatus.CANCELLED),
        (RunAction.CANCEL, RunStatus.PAUSED, RunStatus.CANCELLED),
        (RunAction.COMPLETE, RunStatus.PAUSED, RunStatus.COMPLETED),
    ],
)
def test_the_transitions_a_run_may_make(action: RunAction, status: RunStatus, to: RunStatus) -> None:
    assert target(action, status, "r") == to


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (RunAction.PAUSE, RunStatus.PAUSED),
        (RunAction.PAUSE, RunStatus.COMPLETED),
        (RunAction.RESUME, RunStatus.RUNNING),
        (RunAction.RESUME, RunStatus.PENDING),
        (RunAction.CANCEL, RunStatus.COMPLETED),
        (RunAction.START, RunStatus.PAUSED),
    ],
)
def test_any_other_is_a_run_state_error(action: RunAction, status: RunStatus) -> None:
    with pytest.raises(RunStateError) as refused:
        target(action, status, "r-1")
    assert (refused.value.code, refused.value.field) == ("RUN_STATE_ERROR", "id")
    assert str(status) in str(refused.value)


def test_every_action_has_a_row_and_final_statuses_go_nowhere() -> None:
    assert set(TRANSITIONS) == set(RunAction)
    assert all(not (sources & {RunStatus.COMPLETED, RunStatus.CANCELLED}) for sources, _ in TRANSITIONS.values())


def test_a_run_is_created_whole_pending_with_its_plan_in_the_backlog(harness: Harness) -> None:
    run = start(harness, sample_percentage=50, sample_seed=3, priority="HIGH", experiment_id="exp-1")
    stored = store(harness).existing(run.id)
    assert stored == run
    assert (stored.status, stored.total, stored.remaining, stored.next_index) == (RunStatus.PENDING, 10, 10, 0)
    assert (stored.definition.sampled_count, stored.sample_seed, stored.experiment_id) == (5, 3, "exp-1")
    assert [entry.owner_id for entry in store(harness).backlog.in_order()] == [run.id]
    assert store(harness).unreleased().planned == 10


def test_creating_a_run_twice_writes_nothing_the_second_time(harness: Harness) -> None:
    run = start(harness)
    with pytest.raises(TransactionCancelled):
        store(harness).create(run)
    assert store(harness).unreleased().planned == run.total


def test_a_job_is_counted_once_and_the_run_completes_when_none_remain(harness: Harness) -> None:
    run = start(harness, definition="sample-smoke", models=("local/a",), sample_percentage=20, sample_seed=1)
    runs = store(harness)
    assert runs.count(run.id, 0, 0, "completed") is True
    assert runs.count(run.id, 0, 0, "completed") is False  # a repeated delivery counts nothing
    assert runs.complete(run.id) is False  # one remains
    assert runs.count(run.id, 1, 0, "failed") is True
    assert runs.complete(run.id) is True
    done = runs.existing(run.id)
    assert (done.status, done.completed, done.failed, done.remaining) == (RunStatus.COMPLETED, 1, 1, 0)
    assert done.model_counts(0).model_dump() == {"completed": 1, "failed": 1}
    assert runs.complete(run.id) is False  # COMPLETED already


def test_pause_resume_and_cancel_move_the_backlog_and_the_unreleased_counts(harness: Harness) -> None:
    run = start(harness)
    runs = store(harness)
    assert runs.pause(run.id).status == RunStatus.PAUSED
    assert list(runs.backlog.in_order()) == []
    with pytest.raises(RunStateError):
        runs.pause(run.id)
    resumed = runs.resume(run.id)
    assert resumed.status == RunStatus.RUNNING and [e.owner_id for e in runs.backlog.in_order()] == [run.id]
    cancelled = runs.cancel(run.id)
    assert cancelled.status == RunStatus.CANCELLED and cancelled.finished_at
    assert runs.cancel(run.id) == runs.existing(run.id)  # twice is fine, and changes nothing
    assert list(runs.backlog.in_order()) == []
    assert (runs.unreleased().planned, runs.unreleased().cancelled) == (0, 20)
    assert run.id not in runs.active_ids()


def test_cancelling_a_completed_run_is_a_run_state_error(harness: Harness) -> None:
    run = start(harness, models=("local/a",), sample_percentage=10, sample_seed=1)
    harness.drain()
    assert store(harness).existing(run.id).status == RunStatus.COMPLETED
    with pytest.raises(RunStateError, match="cannot cancel"):
        store(harness).cancel(run.id)


def test_a_run_lists_newest_first_by_status_and_pages_by_token(harness: Harness) -> None:
    created = []
    for _ in range(3):
        created.append(start(harness))
        harness.clock.advance(1)
    first, second, third = created
    store(harness).pause(second.id)
    runs, token = store(harness).page("org-1", None, 2, None)
    assert [r.id for r in runs] == [third.id, second.id] and token
    rest, end = store(harness).page("org-1", None, 2, token)
    assert [r.id for r in rest] == [first.id] and end is None
    paused, _ = store(harness).page("org-1", RunStatus.PAUSED, 10, None)
    assert [r.id for r in paused] == [second.id]
    assert store(harness).page("org-2", None, 10, None) == ([], None)


def test_recent_tasks_are_the_latest_to_end_first_read_from_their_jobs(harness: Harness) -> None:
    run = start(
        harness, definition="sample-smoke", models=("local/a", "local/refuse"), sample_percentage=20, sample_seed=2
    )
    for _ in range(4):  # one job at a time, so each ends at its own moment
        harness.dispatch()
        harness.deliver()
        harness.clock.advance(1)
    harness.drain()
    tasks = harness.api.recent_tasks(store(harness).existing(run.id), 3)
    assert [t.id for t in tasks] == [f"{run.id}.3", f"{run.id}.2", f"{run.id}.1"]
    refused = tasks[0]
    assert (refused.model, refused.status, refused.attempts) == ("local/refuse", "COMPLETED", 1)
    assert refused.transcript and "sorry" in refused.transcript.answer
    [basic] = refused.analyses
    assert basic.kind == "BASIC" and basic.score == 0.0
    assert {m.name: m.value for m in basic.metrics}["refused"] == 1
