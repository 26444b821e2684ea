"""Statuses across workloads: each workload names its own, and maps them to one phase.

Tasks say QUEUED / RUNNING / SUCCEEDED / FAILED (as Step Functions does), jobs PENDING /
RUNNING / COMPLETED / FAILED / CANCELLED (as BullMQ does). Every status enum is a
`StrEnum` that also says its `Phase`, the one vocabulary a view across workloads (the
console, a health summary) reads: written once here, not in every consumer.
"""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    WAITING = "WAITING"  # accepted, not started
    ACTIVE = "ACTIVE"  # running now (or between attempts)
    PAUSED = "PAUSED"  # held on purpose; resumes when asked
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def final(self) -> bool:
        return self in (Phase.SUCCEEDED, Phase.FAILED, Phase.CANCELLED)


class WorkloadStatus(StrEnum):
    """Base of a workload's status enum: members declare their phase in `PHASES`."""

    @property
    def phase(self) -> Phase:
        return type(self).phases()[self]

    @classmethod
    def phases(cls) -> dict[WorkloadStatus, Phase]:
        raise NotImplementedError

    @property
    def final(self) -> bool:
        return self.phase.final
