"""The statuses a job goes through, and the phase each one is across workloads.

PENDING    waiting for its (next) attempt, or for a free slot of its organization
RUNNING    an attempt is being processed
COMPLETED  the last attempt succeeded; final
FAILED     the last attempt failed (or the payload was invalid); final until retried
CANCELLED  cancelled by a person; final until retried
"""

from __future__ import annotations

from conveyor.core.status import Phase, WorkloadStatus


class JobStatus(WorkloadStatus):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @classmethod
    def phases(cls) -> dict[WorkloadStatus, Phase]:
        return {
            cls.PENDING: Phase.WAITING,
            cls.RUNNING: Phase.ACTIVE,
            cls.COMPLETED: Phase.SUCCEEDED,
            cls.FAILED: Phase.FAILED,
            cls.CANCELLED: Phase.CANCELLED,
        }


# A retry runs a job in one of these again, with fresh attempts.
RETRYABLE = frozenset({JobStatus.FAILED, JobStatus.CANCELLED})
