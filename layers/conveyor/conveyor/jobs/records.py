"""A job as the store keeps it, and as the API shows it.

One table, keyed by `id`; job items carry `listKey` (so the byCreated index lists them)
and `createdAt` (so counters, which have neither, are never listed). Payloads and
results are stored as JSON text (`payloadJson`, `resultJson`), so they come back exactly
as they were given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from conveyor.core.dynamo import plain
from conveyor.core.models import ApiModel
from conveyor.jobs.registry import JobPayload
from conveyor.jobs.status import JobStatus

LIST_KEY = "JOB"  # every job carries it: the byCreated index lists them all, newest first


class Failure(ApiModel):
    """Why an attempt failed: the error's class name and message (`conveyor.core.errors.error_details`)."""

    type: str
    message: str


class Attempt(ApiModel):
    """One attempt (or one event that ended an attempt), in the job's history."""

    attempt: int
    outcome: str = Field(description="completed, failed, stalled, not-queued")
    started_at: str | None = None
    finished_at: str
    error: Failure | None = None
    retry_in_seconds: int | None = Field(None, description="the backoff before the next attempt")


class JobView(ApiModel):
    id: str
    type: str
    queue: str
    organization_id: str
    status: JobStatus
    payload: Any
    result: Any = None
    error: Failure | None = None
    attempts: int = 0
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    schedule_id: str | None = Field(None, description="the schedule entry that created the job")
    history: list[Attempt] = []


class Job(JobView):
    """The record: what the API shows, and what the engine tracks besides."""

    # Which message of the job is current: a retry or a stall recovery sends a new
    # one, and messages of earlier deliveries are dropped when they arrive.
    delivery: int = 1
    heartbeat_ms: int | None = None
    skipped: int = Field(0, description="deliveries that were not run (cancelled, finished, superseded)")

    def lock_expired(self, lock_seconds: int, now: float) -> bool:
        """RUNNING with no sign of life for the queue's lock duration: its worker is gone."""
        return self.status == JobStatus.RUNNING and (self.heartbeat_ms or 0) / 1000 + lock_seconds <= now

    def view(self) -> JobView:
        return JobView.model_validate(self, from_attributes=True)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Job:
        values = plain(item)
        values["payload"] = json.loads(values.pop("payloadJson"))
        if "resultJson" in values:
            values["result"] = json.loads(values.pop("resultJson"))
        return cls.model_validate(values)

    def to_item(self) -> dict[str, Any]:
        item = self.model_dump(mode="json", exclude_none=True, exclude={"payload", "result"})
        item.update(listKey=LIST_KEY, payloadJson=json.dumps(self.payload))
        if self.result is not None:
            item["resultJson"] = json.dumps(self.result)
        return item


@dataclass(frozen=True)
class NewJob:
    """A job to create: its queue follows from its type (the workload's registry)."""

    id: str
    type: str
    organization_id: str
    payload: JobPayload
    schedule_id: str | None = None
