"""One shared time axis for bars: the execution table view's states and attempts and
a task's waterfall of steps. Positions are percentages of the axis, which runs
from the start to the stop (or now, while the work runs).

Pure: times in, percentages and round-numbered tick marks out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

MIN_BAR_PERCENT = 0.4  # a span of a few ms still shows as a sliver


@dataclass(frozen=True)
class Bar:
    left: float  # percent of the axis
    width: float  # percent of the axis
    seconds: float


@dataclass(frozen=True)
class TimeAxis:
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return max((self.end - self.start).total_seconds(), 0.001)

    def bar(self, begin: datetime, finish: datetime | None) -> Bar:
        """A span on the axis; one still running (no finish) reaches the axis's end."""
        seconds = ((finish or self.end) - begin).total_seconds()
        left = min(max((begin - self.start).total_seconds() / self.seconds * 100, 0.0), 100.0)
        width = min(max(seconds / self.seconds * 100, MIN_BAR_PERCENT), 100.0 - left)
        return Bar(round(left, 3), round(max(width, 0.0), 3), seconds)

    def ticks(self, count: int = 5) -> list[tuple[float, float]]:
        """Round-numbered marks (percent, seconds since start): steps of 1, 2, 2.5 or 5 times a power of ten."""
        total = self.seconds
        raw = total / count
        base = 10 ** math.floor(math.log10(raw))
        step = next(m * base for m in (1, 2, 2.5, 5, 10) if m * base >= raw)
        marks, value = [], 0.0
        while value <= total + 1e-9:
            marks.append((round(value / total * 100, 3), round(value, 3)))
            value += step
        return marks
