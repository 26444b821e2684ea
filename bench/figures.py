"""Small helpers shared by the benchmarks: percentiles and waiting."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    return f"p50 {percentile(values, 50):7.1f} ms   p99 {percentile(values, 99):7.1f} ms   (n={len(values)})"


def wait_until(condition: Callable[[], T], timeout: float = 60, interval: float = 0.01) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("benchmark condition not met")
