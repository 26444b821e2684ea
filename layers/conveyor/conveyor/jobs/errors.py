"""What the job engine raises, in the core vocabulary.

A processor fails an attempt with `conveyor.core.errors`: a `PermanentError` fails the
job at once, a `TransientError` (or any other exception) is tried again after the
backoff, or after its `retry_after`. `JobCancelled` is no failure: the job was cancelled
(or taken over) while the attempt ran, and the processor stops writing.
"""

from __future__ import annotations

from conveyor.core.errors import Conflict, NotFound, PermanentError


class InvalidPayload(PermanentError):
    """The job's payload does not match its type's model."""


class JobCancelled(Exception):
    """The job was cancelled while it ran: stop, and write nothing more."""


class JobNotFound(NotFound):
    def __init__(self, job_id: str) -> None:
        super().__init__(f"no job {job_id!r}", field="jobId")


class NotAllowed(Conflict):
    """The job's status does not allow the change (cancel a finished job, retry a completed one)."""

    def __init__(self, job_id: str, status: str, action: str) -> None:
        super().__init__(f"cannot {action} job {job_id}: it is {status}")
        self.status = status
