"""What a processor raises to say how its attempt failed.

Any other exception is a transient failure: the job is tried again after the
backoff, up to its attempts, then dead-lettered.
"""

from __future__ import annotations


class JobError(Exception):
    """A failure the worker records with this class name as the error type."""


class TransientJobError(JobError):
    """Worth trying again; `retry_after` (seconds) replaces the backoff when the
    other side said how long to wait (HTTP 429 Retry-After)."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(TransientJobError):
    """The remote service answered 429 Too Many Requests."""


class PermanentJobError(JobError):
    """Trying again cannot help: the job fails at once, without retries."""


class InvalidPayload(PermanentJobError):
    """The job's payload does not match its type's model."""


class NeedsReauthorization(PermanentJobError):
    """The account's token expired or was revoked: a person must connect it again."""


class JobCancelled(Exception):
    """The job was cancelled while it ran: stop, and write nothing more."""


def error_details(error: BaseException) -> dict[str, str]:
    return {"type": type(error).__name__, "message": str(error)[:2000]}
