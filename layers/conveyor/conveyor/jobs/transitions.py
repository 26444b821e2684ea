"""Every way a job's status changes, in one table: (from, to) -> what moves with it.

    from       to          org RUNNING   attributes cleared
    -          PENDING      0            -                       created
    PENDING    -            0            -                       withdrawn (its message was never sent)
    PENDING    RUNNING     +1            finishedAt              an attempt starts
    RUNNING    COMPLETED   -1            heartbeatMs
    RUNNING    PENDING     -1            heartbeatMs             the attempt failed or stalled: tried again
    RUNNING    FAILED      -1            heartbeatMs             the last attempt failed, or a permanent error
    RUNNING    CANCELLED   -1            heartbeatMs
    PENDING    FAILED       0            -                       invalid payload, no attempts left, not queued
    PENDING    CANCELLED    0            -
    FAILED     PENDING      0            error, result, times    retry
    CANCELLED  PENDING      0            error, result, times    retry
    PENDING    PENDING      0            error, result, times    retry of a job whose message SQS dead-lettered

The queue's count of jobs per status always moves one job from `from` to `to`. A store
change names the transition it makes; no caller computes a counter's delta.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from conveyor.jobs.status import JobStatus

PENDING, RUNNING = JobStatus.PENDING, JobStatus.RUNNING
COMPLETED, FAILED, CANCELLED = JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED

_ATTEMPT_STATE = ("heartbeatMs",)
_RETRY_CLEARS = ("error", "resultJson", "startedAt", "finishedAt", "heartbeatMs", "nextAttemptMs")


@dataclass(frozen=True)
class Transition:
    source: JobStatus | None  # None: the job does not exist before
    target: JobStatus | None  # None: the job does not exist after
    org_running: int = 0
    clears: tuple[str, ...] = ()

    def status_counts(self) -> dict[str, int]:
        """How the queue's count per status moves (nothing for PENDING -> PENDING)."""
        deltas: Counter[str] = Counter()
        if self.source is not None:
            deltas[self.source.value] -= 1
        if self.target is not None:
            deltas[self.target.value] += 1
        return {status: delta for status, delta in deltas.items() if delta}


TRANSITIONS: dict[tuple[JobStatus | None, JobStatus | None], Transition] = {
    (t.source, t.target): t
    for t in (
        Transition(None, PENDING),
        Transition(PENDING, None),
        Transition(PENDING, RUNNING, org_running=+1, clears=("finishedAt",)),
        Transition(RUNNING, COMPLETED, org_running=-1, clears=_ATTEMPT_STATE),
        Transition(RUNNING, PENDING, org_running=-1, clears=_ATTEMPT_STATE),
        Transition(RUNNING, FAILED, org_running=-1, clears=_ATTEMPT_STATE),
        Transition(RUNNING, CANCELLED, org_running=-1, clears=_ATTEMPT_STATE),
        Transition(PENDING, FAILED),
        Transition(PENDING, CANCELLED),
        Transition(FAILED, PENDING, clears=_RETRY_CLEARS),
        Transition(CANCELLED, PENDING, clears=_RETRY_CLEARS),
        Transition(PENDING, PENDING, clears=_RETRY_CLEARS),
    )
}


class NoSuchTransition(ValueError):
    pass


def transition(source: JobStatus | None, target: JobStatus | None) -> Transition:
    try:
        return TRANSITIONS[(source, target)]
    except KeyError:
        raise NoSuchTransition(f"a job cannot go from {source} to {target}") from None
