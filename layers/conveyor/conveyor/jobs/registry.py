"""The job types a workload runs: each type's queue and payload model.

The engine knows a job by its type's name and its queue's name; the workload that
owns them hands the engine a `JobRegistry`:

    registry = JobRegistry(JobType, QueueName, {
        JobType.SYNC_RSS: JobKind(QueueName.CONTEXT_SCRAPING, SyncRssPayload),
        ...
    })

A payload is checked against its type's model when the job is created and again
when a worker takes it; the enums give the API its allowed values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, ValidationError

from conveyor.core.models import ApiModel
from conveyor.core.validation import describe
from conveyor.jobs.errors import InvalidPayload


class JobPayload(ApiModel):
    """Base of every payload model: camelCase on the wire, no unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


@dataclass(frozen=True)
class JobKind:
    queue: StrEnum
    payload: type[JobPayload]


class JobRegistry:
    def __init__(self, types: type[StrEnum], queues: type[StrEnum], kinds: Mapping[StrEnum, JobKind]) -> None:
        if set(kinds) != set(types):
            raise ValueError(f"every job type needs one kind; unmatched: {set(types) ^ set(kinds)}")
        strays = {kind.queue for kind in kinds.values()} - set(queues)
        if strays:
            raise ValueError(f"job kinds name queues outside {queues.__name__}: {strays}")
        self.types = types
        self.queues = queues
        self._kinds = {str(job_type): kind for job_type, kind in kinds.items()}

    def knows(self, job_type: str) -> bool:
        return job_type in self._kinds

    def queue_of(self, job_type: str) -> str:
        return str(self._kinds[job_type].queue)

    def payload_model(self, job_type: str) -> type[JobPayload]:
        return self._kinds[job_type].payload

    def parse_payload(self, job_type: str, payload: Any) -> JobPayload:
        """The typed payload, or InvalidPayload naming the fields that are wrong (or the type, unknown here)."""
        if not self.knows(job_type):
            raise InvalidPayload(f"type: no job type {job_type!r} here")
        try:
            return self.payload_model(job_type).model_validate(payload)
        except ValidationError as error:
            raise InvalidPayload(describe(error)) from error

    def payload_fields(self) -> str:
        """Each type's payload fields, `?` after the optional ones: what the API documents."""
        lines = []
        for job_type, kind in self._kinds.items():
            fields = ", ".join(
                (field.alias or name) + ("" if field.is_required() else "?")
                for name, field in kind.payload.model_fields.items()
            )
            lines.append(f"{job_type}: {{{fields}}}")
        return "\n".join(lines)
