"""A job as the store keeps it, and as the API shows it.

One table, keyed by `id`; job items carry `listKey` (so the byCreated index lists them)
and `createdAt` (so counters, which have neither, are never listed); an `OwedBatch` item,
the outbox of jobs created together, is on the byStatus index under OWED. Payloads and
results are stored as JSON text (`payloadJson`, `resultJson`), so they come back exactly
as they were given.

A record stays well inside DynamoDB's 400 KB item: its history lists the last
`MAX_HISTORY` entries and folds older ones into `earlierHistory` (how many, and their
outcomes), and an error's message is cut to `conveyor.core.errors.MAX_MESSAGE_CHARS`.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from conveyor.core.dynamo import plain
from conveyor.core.errors import error_details
from conveyor.core.models import ApiModel
from conveyor.jobs.registry import JobPayload
from conveyor.jobs.status import JobStatus

LIST_KEY = "JOB"  # every job carries it: the byCreated index lists them all, newest first
MAX_HISTORY = 10  # entries listed in a job's history; older ones are counted in earlierHistory


class Failure(ApiModel):
    """Why an attempt failed: the error's class name and message (`conveyor.core.errors.error_details`)."""

    type: str
    message: str

    @classmethod
    def of(cls, error: BaseException) -> Failure:
        return cls.model_validate(error_details(error))


class Attempt(ApiModel):
    """One attempt (or one event that ended an attempt), in the job's history."""

    attempt: int
    outcome: str = Field(description="completed, failed, stalled, lost, postponed")
    started_at: str | None = None
    finished_at: str
    error: Failure | None = None
    retry_in_seconds: int | None = Field(None, description="the wait before the next attempt")


class EarlierHistory(ApiModel):
    """The history entries no longer listed: how many, their outcomes, when the first began."""

    entries: int
    outcomes: dict[str, int]
    since: str

    def folding(self, entries: list[Attempt]) -> EarlierHistory:
        outcomes = Counter(self.outcomes) + Counter(entry.outcome for entry in entries)
        return EarlierHistory(entries=self.entries + len(entries), outcomes=dict(outcomes), since=self.since)

    @classmethod
    def of(cls, entries: list[Attempt]) -> EarlierHistory:
        first = entries[0]
        return cls(entries=0, outcomes={}, since=first.started_at or first.finished_at).folding(entries)


class JobView(ApiModel):
    id: str
    type: str
    queue: str
    organization_id: str
    status: JobStatus
    payload: Any
    result: Any = None
    error: Failure | None = None
    attempts: int = Field(0, description="attempts made that count toward the job's limit")
    stalls: int = Field(0, description="attempts lost to the infrastructure (worker died, timed out); not counted")
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    schedule_id: str | None = Field(None, description="the schedule entry that created the job")
    history: list[Attempt] = Field([], description=f"the last {MAX_HISTORY} attempts, oldest first")
    earlier_history: EarlierHistory | None = Field(None, description="the attempts before those")


class Job(JobView):
    """The record: what the API shows, and what the engine tracks besides."""

    # Which message of the job is current: a retry, a stall recovery or a postponement
    # sends a new one, and messages of earlier deliveries are dropped when they arrive.
    delivery: int = 1
    # Set (to when it became owed) by every change that owes the current delivery's
    # message, in the same write; removed once the message is sent (`outbox`).
    unsent_since_ms: int | None = None
    next_attempt_ms: int | None = None  # not before then (a backoff, a postponement, delaySeconds)
    heartbeat_ms: int | None = None
    skipped: int = Field(0, description="deliveries that were not run (cancelled, finished, superseded)")

    def lock_expired(self, lock_seconds: int, now: float) -> bool:
        """RUNNING with no sign of life for the queue's lock duration: its worker is gone."""
        return self.status == JobStatus.RUNNING and (self.heartbeat_ms or 0) / 1000 + lock_seconds <= now

    def history_with(self, entry: Attempt) -> tuple[list[Attempt], EarlierHistory | None]:
        """The history once `entry` joins it: the last MAX_HISTORY entries, the rest folded."""
        entries = [*self.history, entry]
        overflow, kept = entries[:-MAX_HISTORY], entries[-MAX_HISTORY:]
        if not overflow:
            return kept, self.earlier_history
        earlier = self.earlier_history.folding(overflow) if self.earlier_history else EarlierHistory.of(overflow)
        return kept, earlier

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


OWED = "OWED"  # an OwedBatch item's status, on the byStatus index: never a job's


@dataclass(frozen=True)
class OwedBatch:
    """The outbox of jobs created together (`bulk.create`): their messages are owed while
    this item exists in the jobs table (no `listKey`: no listing shows it as a job)."""

    id: str
    job_ids: list[str]
    created_at: str

    @classmethod
    def of(cls, jobs: Sequence[Job]) -> OwedBatch:
        return cls(id=f"owed#{uuid.uuid4()}", job_ids=[job.id for job in jobs], created_at=jobs[0].created_at)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> OwedBatch:
        return cls(id=item["id"], job_ids=list(item["jobIds"]), created_at=item["createdAt"])

    def to_item(self) -> dict[str, Any]:
        return {"id": self.id, "status": OWED, "createdAt": self.created_at, "jobIds": self.job_ids}
