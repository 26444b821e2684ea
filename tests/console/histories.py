"""Execution histories for the unit tests: real ones recorded from MiniStack (files in
histories/), and AWS-shaped ones written event by event as AWS logs them
(`previousEventId`, `LambdaFunction*`, Map iterations, Parallel branches)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).parent / "histories"
T0 = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


def recorded(name: str) -> list[dict[str, Any]]:
    """A history as boto3 returns it (timestamps as datetimes)."""
    events = json.loads((FOLDER / f"{name}.json").read_text())
    for event in events:
        event["timestamp"] = datetime.fromisoformat(event["timestamp"])
    return events


class AwsHistory:
    """Builds a history the way AWS links it: each event names the one before it."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(self, kind: str, after: int | None = None, at: float = 0.0, **details: Any) -> int:
        """Append an event `at` seconds after T0, following event `after` (default: the last one)."""
        event_id = len(self.events) + 1
        previous = after if after is not None else event_id - 1
        event: dict[str, Any] = {"id": event_id, "type": kind, "timestamp": T0 + timedelta(seconds=at)}
        if previous:
            event["previousEventId"] = previous
        if details:
            key = kind[0].lower() + kind[1:]
            if kind.endswith("StateEntered"):
                key = "stateEntered"
            elif kind.endswith("StateExited"):
                key = "stateExited"
            event[f"{key}EventDetails"] = details
        self.events.append(event)
        return event_id
