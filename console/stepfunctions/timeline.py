"""The table view's rows: each state visit and each of its attempts as bars on the
execution's one time axis, from its start to its stop (or now, while it runs).

Pure: visits and the execution's times in, bars out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from console.stepfunctions.history import StateVisit
from console.time_axis import Bar, TimeAxis


@dataclass(frozen=True)
class TimelineRow:
    visit: StateVisit
    bar: Bar
    attempts: list[Bar]  # one per attempt, on the same axis


@dataclass(frozen=True)
class Timeline:
    rows: list[TimelineRow]
    total_seconds: float
    ticks: list[tuple[float, float]]  # (percent, seconds since start)


def timeline(visits: Iterable[StateVisit], started: datetime, stopped: datetime | None, now: datetime) -> Timeline:
    axis = TimeAxis(started, stopped or now)
    rows = [
        TimelineRow(
            visit,
            axis.bar(visit.entered_at, visit.exited_at),
            [axis.bar(attempt.scheduled_at, attempt.ended_at) for attempt in visit.attempts],
        )
        for visit in visits
    ]
    return Timeline(rows, axis.seconds, axis.ticks())
