"""Every way a job's status changes, in one table: (from, to) -> what moves with it.

    from       to          org RUNNING   attributes cleared
    -          PENDING      0            -                       created
    PENDING    RUNNING     +1            finishedAt, unsent      an attempt starts (its message arrived)
    RUNNING    COMPLETED   -1            heartbeatMs
    RUNNING    PENDING     -1            heartbeatMs             the attempt failed, stalled or was postponed
    RUNNING    FAILED      -1            heartbeatMs             last attempt failed, a permanent error, out of stalls
    RUNNING    CANCELLED   -1            heartbeatMs
    PENDING    FAILED       0            unsent                  invalid payload, no attempts left
    PENDING    CANCELLED    0            unsent                  (a cancelled job needs no message)
    FAILED     PENDING      0            error, result, times    retry
    CANCELLED  PENDING      0            error, result, times    retry
    PENDING    PENDING      0            error, result, times    retry of a job whose message SQS dead-lettered
    PENDING    -            0            (the record is deleted) withdrawn before it started (`bulk`)

`unsent` is `unsentSinceMs`, the mark of a message owed (`outbox`).

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
_UNSENT = ("unsentSinceMs",)
_RETRY_CLEARS = ("error", "resultJson", "startedAt", "finishedAt", "heartbeatMs", "nextAttemptMs")


@dataclass(frozen=True)
class Transition:
    source: JobStatus | None  # None: the job does not exist before
    target: JobStatus | None  # None: the job no longer exists after
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
        Transition(PENDING, RUNNING, org_running=+1, clears=("finishedAt", *_UNSENT)),
        Transition(RUNNING, COMPLETED, org_running=-1, clears=_ATTEMPT_STATE),
        Transition(RUNNING, PENDING, org_running=-1, clears=_ATTEMPT_STATE),
        Transition(RUNNING, FAILED, org_running=-1, clears=_ATTEMPT_STATE),
        Transition(RUNNING, CANCELLED, org_running=-1, clears=_ATTEMPT_STATE),
        Transition(PENDING, FAILED, clears=_UNSENT),
        Transition(PENDING, CANCELLED, clears=_UNSENT),
        Transition(FAILED, PENDING, clears=_RETRY_CLEARS),
        Transition(CANCELLED, PENDING, clears=_RETRY_CLEARS),
        Transition(PENDING, PENDING, clears=_RETRY_CLEARS),
        Transition(PENDING, None),
    )
}


class NoSuchTransition(ValueError):
    pass


def transition(source: JobStatus | None, target: JobStatus | None) -> Transition:
    try:
        return TRANSITIONS[(source, target)]
    except KeyError:
        raise NoSuchTransition(f"a job cannot go from {source} to {target}") from None
