"""The error vocabulary of every workload: is trying again worth it?

    TransientError   the same work may succeed later; `retry_after` (seconds) when the
                     other side said how long to wait (HTTP 429 Retry-After)
    PermanentError   trying again cannot help: fail now, with the reason

Job workers retry a TransientError (and any unexpected exception) after their backoff
and fail a PermanentError at once. Durable steps raise them to Step Functions under
these two class names, which the state machines' `Retry` and `Catch` match with
`ErrorEquals`: renaming a class is a breaking change for every state machine.
"""

from __future__ import annotations

from typing import TypedDict

MAX_MESSAGE_CHARS = 2000


class TransientError(Exception):
    """Worth trying again, after the backoff or after `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """Trying again cannot help: fail now, with this reason."""


class ErrorDetails(TypedDict):
    type: str
    message: str


def error_details(error: BaseException) -> ErrorDetails:
    """What records, logs and dead letters keep of an error: its class name and message."""
    return {"type": type(error).__name__, "message": str(error)[:MAX_MESSAGE_CHARS]}


class Refusal(Exception):
    """A request that cannot be done as asked: not a failure of the system.

    Business code raises these; each API answers them once, in its own shape (REST: the
    status below and `conveyor.core.rest.ErrorResponse`; GraphQL: an error with `code`).
    `field` names the input that is wrong, when one is."""

    code = "BAD_REQUEST"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidRequest(Refusal):
    """The input is malformed or out of range."""


class NotFound(Refusal):
    code = "NOT_FOUND"
    http_status = 404


class Conflict(Refusal):
    """The thing exists but its state does not allow this (retry a running job, replay a task that succeeded)."""

    code = "CONFLICT"
    http_status = 409
