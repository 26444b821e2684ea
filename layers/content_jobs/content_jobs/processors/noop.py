"""NOOP: does nothing but echo; measures the job pipeline itself and checks a deployment."""

from __future__ import annotations

from typing import Any

from content_jobs.payloads import NoopPayload
from conveyor.jobs.context import JobContext


def noop(payload: NoopPayload, job: JobContext) -> dict[str, Any]:
    return {"echo": payload.echo}
