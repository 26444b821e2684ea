"""A job as the store reads it back, and as the API shows it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from conveyor.durable.store import now_iso
from conveyor.dynamo import plain
from conveyor.jobs.catalog import ACTIVE, JobStatus, JobType, QueueName

__all__ = ["Job", "now_iso"]


@dataclass(frozen=True)
class Job:
    id: str
    type: JobType
    queue: QueueName
    organization_id: str
    status: JobStatus
    payload: Any
    attempts: int
    delivery: int
    created_at: str
    result: Any = None
    error: dict[str, str] | None = None
    started_at: str | None = None
    finished_at: str | None = None
    heartbeat_ms: int | None = None
    schedule_id: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def lock_expired(self, lock_seconds: int, now: float) -> bool:
        """RUNNING with no sign of life for the queue's lock duration: its worker is gone."""
        return self.status == JobStatus.RUNNING and (self.heartbeat_ms or 0) / 1000 + lock_seconds <= now

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Job:
        return cls(
            id=item["id"],
            type=JobType(item["type"]),
            queue=QueueName(item["queue"]),
            organization_id=item["organizationId"],
            status=JobStatus(item["status"]),
            payload=json.loads(item["payloadJson"]),
            attempts=int(item.get("attempts", 0)),
            delivery=int(item.get("delivery", 1)),
            created_at=item["createdAt"],
            result=json.loads(item["resultJson"]) if "resultJson" in item else None,
            error=item.get("error"),
            started_at=item.get("startedAt"),
            finished_at=item.get("finishedAt"),
            heartbeat_ms=int(item["heartbeatMs"]) if "heartbeatMs" in item else None,
            schedule_id=item.get("scheduleId"),
            history=plain(item.get("history", [])),
            skipped=int(item.get("skipped", 0)),
        )

    def to_view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type.value,
            "queue": self.queue.value,
            "organizationId": self.organization_id,
            "status": self.status.value,
            "payload": self.payload,
            "result": self.result,
            "error": self.error,
            "attempts": self.attempts,
            "createdAt": self.created_at,
            "startedAt": self.started_at,
            "finishedAt": self.finished_at,
            "scheduleId": self.schedule_id,
            "history": self.history,
        }
