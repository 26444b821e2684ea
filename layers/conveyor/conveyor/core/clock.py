"""Time, as the stores and engines read it: an injectable clock (seconds since the epoch).

Stores and engines take a `Clock` instead of calling `time.time()`, so tests can move
time without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], float]


def system_clock() -> float:
    return time.time()


def iso(seconds: float) -> str:
    """`2026-11-23T12:00:00.000Z`: UTC, milliseconds, the form every record uses."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso(clock: Clock = system_clock) -> str:
    return iso(clock())


def now_ms(clock: Clock = system_clock) -> int:
    return int(clock() * 1000)


def parse_iso(value: str) -> datetime:
    """An ISO 8601 time with a zone (`Z` accepted); ValueError without one."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return parsed
