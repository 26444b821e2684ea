"""What `ingestion(isrc)` and a library track's `ingestion` answer: the track's durable task
(`isrc-<ISRC>` in the track-ingestion flow), read through the engine's task store, and
whether its point is in the index.

Ingestions and the index are shared by every organization (one run per ISRC, whoever
asked), so any authenticated caller may read them; a library is its organization's.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from conveyor.core.models import ApiModel
from conveyor.durable.records import StepRecord, TaskRecord, current_step
from conveyor.durable.store import TaskStore
from library_ingestion.index import TrackIndex
from library_ingestion.isrc import hash_isrc_to_uuid
from library_ingestion.models import task_id_for


class IngestionStatus(StrEnum):
    NOT_SCHEDULED = "NOT_SCHEDULED"
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class Ingestion(ApiModel):
    isrc: str
    point_id: str
    task_id: str
    status: IngestionStatus
    run: int | None = None
    current_step: str | None = None
    error: dict[str, Any] | None = None
    steps: list[StepRecord] = []
    submitted_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


class Ingestions:
    def __init__(self, tasks: TaskStore, index: TrackIndex) -> None:
        self._tasks = tasks
        self._index = index

    def of(self, isrc: str) -> Ingestion:
        """The ingestion of a (normalized) ISRC, with its steps."""
        task = self._tasks.get_task(task_id_for(isrc))
        if task is None:
            return _not_scheduled(isrc)
        steps = self._tasks.steps(task.task_id)
        running = current_step(steps, task.run) if task.status == "RUNNING" else None
        return _ingestion(isrc, task).model_copy(update={"steps": steps, "current_step": running})

    def statuses(self, isrcs: Sequence[str]) -> dict[str, Ingestion]:
        """The ingestion of each ISRC, without steps: one batch read for all of them."""
        tasks = self._tasks.get_tasks(task_id_for(isrc) for isrc in isrcs)
        return {
            isrc: _ingestion(isrc, tasks[task_id_for(isrc)]) if task_id_for(isrc) in tasks else _not_scheduled(isrc)
            for isrc in isrcs
        }

    def indexed(self, isrc: str) -> bool | None:
        """Whether the track's point is in the index now; None when the index cannot answer."""
        try:
            return isrc in self._index.indexed([isrc])
        except Exception:
            return None


def _not_scheduled(isrc: str) -> Ingestion:
    return Ingestion(
        isrc=isrc, point_id=hash_isrc_to_uuid(isrc), task_id=task_id_for(isrc), status=IngestionStatus.NOT_SCHEDULED
    )


def _ingestion(isrc: str, task: TaskRecord) -> Ingestion:
    return Ingestion(
        isrc=isrc,
        point_id=hash_isrc_to_uuid(isrc),
        task_id=task.task_id,
        status=IngestionStatus(task.status.value),
        run=task.run,
        error=task.error,
        submitted_at=task.submitted_at,
        started_at=task.started_at,
        finished_at=task.finished_at,
    )
