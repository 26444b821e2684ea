"""A run's statuses, its priorities, and every way its status changes, in one table.

    action      from                        to          who
    start       PENDING                     RUNNING     the first job of the run starts
    pause       PENDING, RUNNING            PAUSED      a person: no new job of the run starts
    resume      PAUSED                      RUNNING     a person
    cancel      PENDING, RUNNING, PAUSED    CANCELLED   a person: jobs not started never run
                CANCELLED                   CANCELLED   (cancelling twice is fine)
    complete    PENDING, RUNNING, PAUSED    COMPLETED   completed + failed = total

Anything else a person asks for (pause a PAUSED run, resume a RUNNING one, cancel a
COMPLETED one) is a `RunStateError`: code RUN_STATE_ERROR.
"""

from __future__ import annotations

from enum import StrEnum

from conveyor.core.errors import Conflict
from conveyor.core.status import Phase, WorkloadStatus


class RunStatus(WorkloadStatus):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"

    @classmethod
    def phases(cls) -> dict[WorkloadStatus, Phase]:
        return {
            cls.PENDING: Phase.WAITING,
            cls.RUNNING: Phase.ACTIVE,
            cls.PAUSED: Phase.PAUSED,
            cls.COMPLETED: Phase.SUCCEEDED,
            cls.CANCELLED: Phase.CANCELLED,
        }

    @property
    def releases_jobs(self) -> bool:
        """Whether jobs of a run in this status may be released and started."""
        return self in (RunStatus.PENDING, RunStatus.RUNNING)


class RunPriority(StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"

    @property
    def rank(self) -> int:
        """The backlog's rank: 0 is released first."""
        return {RunPriority.HIGH: 0, RunPriority.NORMAL: 1, RunPriority.LOW: 2}[self]


class RunAction(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    COMPLETE = "complete"


PENDING, RUNNING, PAUSED = RunStatus.PENDING, RunStatus.RUNNING, RunStatus.PAUSED
COMPLETED, CANCELLED = RunStatus.COMPLETED, RunStatus.CANCELLED

TRANSITIONS: dict[RunAction, tuple[frozenset[RunStatus], RunStatus]] = {
    RunAction.START: (frozenset({PENDING}), RUNNING),
    RunAction.PAUSE: (frozenset({PENDING, RUNNING}), PAUSED),
    RunAction.RESUME: (frozenset({PAUSED}), RUNNING),
    RunAction.CANCEL: (frozenset({PENDING, RUNNING, PAUSED}), CANCELLED),
    RunAction.COMPLETE: (frozenset({PENDING, RUNNING, PAUSED}), COMPLETED),
}


class RunStateError(Conflict):
    code = "RUN_STATE_ERROR"

    def __init__(self, run_id: str, status: RunStatus, action: RunAction) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[action][0]))
        super().__init__(f"cannot {action} run {run_id}: it is {status} (only {allowed})", field="id")
        self.status = status


def target(action: RunAction, status: RunStatus, run_id: str) -> RunStatus:
    """The status `action` moves a run in `status` to; RunStateError when it cannot."""
    sources, to = TRANSITIONS[action]
    if status not in sources:
        raise RunStateError(run_id, status, action)
    return to
