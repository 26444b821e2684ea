"""A demo task's steps as a waterfall: each step a bar on the task's time axis, from
its first start to its finish, with the last attempt marked when it was retried.

Pure: the task as Conveyor's API answers it (`GET /tasks/{id}`) in, bars out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.time_axis import Bar, TimeAxis
from console.times import as_datetime


@dataclass(frozen=True)
class StepRow:
    step: dict[str, Any]
    bar: Bar | None  # None: the step has no start time
    last_attempt: Bar | None  # the retry that finished it, when there were several attempts


@dataclass(frozen=True)
class Waterfall:
    rows: list[StepRow]
    total_seconds: float
    ticks: list[tuple[float, float]]


def waterfall(task: dict[str, Any], now: datetime) -> Waterfall:
    steps = task.get("steps") or []
    starts = [t for t in (as_datetime(s.get("firstStartedAt")) for s in steps) if t]
    start = as_datetime(task.get("startedAt")) or min(starts, default=None) or as_datetime(task.get("submittedAt"))
    finishes = [t for t in (as_datetime(s.get("finishedAt")) for s in steps) if t]
    end = as_datetime(task.get("finishedAt")) or (now if task.get("status") in ("RUNNING", "QUEUED") else None)
    end = end or max(finishes, default=now)
    axis = TimeAxis(start or now, max(end, start or now))
    rows = []
    for step in steps:
        first, last, finished = (as_datetime(step.get(k)) for k in ("firstStartedAt", "lastStartedAt", "finishedAt"))
        bar = axis.bar(first, finished) if first else None
        retried = last is not None and bar is not None and int(step.get("attempts") or 0) > 1
        rows.append(StepRow(step, bar, axis.bar(last, finished) if last is not None and retried else None))
    return Waterfall(rows, axis.seconds, axis.ticks())
