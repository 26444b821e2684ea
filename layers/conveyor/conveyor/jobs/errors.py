"""What the job engine raises, in the core vocabulary.

A processor fails an attempt with `conveyor.core.errors`: a `PermanentError` fails the
job at once, a `TransientError` (or any other exception) is tried again after the
backoff, or after its `retry_after`. Two are no failures: `JobCancelled`, the job was
cancelled (or taken over) while the attempt ran, and the processor stops writing; and
`Busy`, what the attempt needs is held by another job for now, so it runs again later
without spending an attempt.
"""

from __future__ import annotations

from conveyor.core.errors import Conflict, NotFound, PermanentError


class InvalidPayload(PermanentError):
    """The job's payload does not match its type's model."""


class JobCancelled(Exception):
    """The job was cancelled while it ran: stop, and write nothing more."""


class Busy(Exception):
    """What the attempt needs is held by another job for now: the job runs again after
    `retry_after` seconds, and the attempt is not counted. Raise it only for a hold that
    ends by itself (a claim with a lease), or the job waits for ever."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class JobNotFound(NotFound):
    def __init__(self, job_id: str) -> None:
        super().__init__(f"no job {job_id!r}", field="jobId")


class JobIdTaken(Conflict):
    """The job id is another organization's."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job id {job_id!r} is taken; choose another", field="jobId")


class NotAllowed(Conflict):
    """The job's status does not allow the change (cancel a finished job, retry a completed one)."""

    def __init__(self, job_id: str, status: str, action: str) -> None:
        super().__init__(f"cannot {action} job {job_id}: it is {status}")
        self.status = status
