"""The raw platform's step for bench/durable_tasks.py: a Lambda that returns its input."""

from __future__ import annotations

from typing import Any


def step(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return event
