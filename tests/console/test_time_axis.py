"""The shared time axis of the table view and of a task's waterfall."""

from __future__ import annotations

from datetime import timedelta

from console.stepfunctions.history import derive_visits
from console.stepfunctions.timeline import timeline
from console.time_axis import TimeAxis
from console.waterfall import waterfall

from .histories import T0, AwsHistory


def test_bars_sit_on_one_axis_from_start_to_stop() -> None:
    axis = TimeAxis(T0, T0 + timedelta(seconds=10))

    bar = axis.bar(T0 + timedelta(seconds=2), T0 + timedelta(seconds=5))
    running = axis.bar(T0 + timedelta(seconds=8), None)
    instant = axis.bar(T0 + timedelta(seconds=10), T0 + timedelta(seconds=10))

    assert (bar.left, bar.width, bar.seconds) == (20.0, 30.0, 3.0)
    assert (running.left, running.width) == (80.0, 20.0)  # reaches the end of the axis
    assert instant.left + instant.width <= 100.0
    assert [seconds for _, seconds in axis.ticks()] == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]


def test_each_visit_and_attempt_of_an_execution_is_a_row_and_bars() -> None:
    history = AwsHistory()
    history.add("ExecutionStarted")
    history.add("TaskStateEntered", at=1, name="Call")
    history.add("TaskScheduled", at=1)
    history.add("TaskFailed", at=2, error="Flaky")
    history.add("TaskScheduled", at=3)
    history.add("TaskSucceeded", at=4)
    history.add("TaskStateExited", at=4, name="Call")

    table = timeline(derive_visits(history.events), T0, T0 + timedelta(seconds=4), T0 + timedelta(seconds=9))

    [row] = table.rows
    assert (row.bar.left, row.bar.width) == (25.0, 75.0)
    assert [(a.left, a.width) for a in row.attempts] == [(25.0, 25.0), (75.0, 25.0)]


def test_a_task_waterfall_marks_the_last_attempt_of_a_retried_step() -> None:
    task = {
        "status": "SUCCEEDED",
        "startedAt": "2026-11-23T12:00:00.000Z",
        "finishedAt": "2026-11-23T12:00:10.000Z",
        "steps": [
            {
                "name": "initialize",
                "attempts": 1,
                "firstStartedAt": "2026-11-23T12:00:00.000Z",
                "lastStartedAt": "2026-11-23T12:00:00.000Z",
                "finishedAt": "2026-11-23T12:00:01.000Z",
            },
            {
                "name": "call",
                "attempts": 3,
                "firstStartedAt": "2026-11-23T12:00:02.000Z",
                "lastStartedAt": "2026-11-23T12:00:08.000Z",
                "finishedAt": "2026-11-23T12:00:10.000Z",
            },
            {"name": "later", "attempts": 0},
        ],
    }

    rows = waterfall(task, T0).rows

    assert (rows[0].bar.left, rows[0].bar.width, rows[0].last_attempt) == (0.0, 10.0, None)
    assert (rows[1].bar.left, rows[1].bar.width) == (20.0, 80.0)
    assert (rows[1].last_attempt.left, rows[1].last_attempt.width) == (80.0, 20.0)
    assert rows[2].bar is None
