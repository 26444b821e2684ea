"""Retry classes: which failures of a model call are worth another attempt.

    class                 raised for                                      retried
    NetworkFailure        connection refused or reset, DNS, TLS            yes, after the backoff
    ModelTimeout          no answer within the call's timeout, HTTP 408    yes, after the backoff
    RateLimited           HTTP 429                                         yes, after its Retry-After
    ServerFailure         HTTP 5xx                                         yes, after the backoff
    RequestInvalid        other HTTP 4xx: the request itself is wrong      no: FAILED at once
    AuthenticationFailed  HTTP 401, 403: the key is refused                no: FAILED at once

The retried ones are `TransientError`s and the others `PermanentError`s (the core
vocabulary the job engine acts on); the job's error records the class's name. The
worker allows 3 retries (JOB_MAX_ATTEMPTS=4) with a 5 s base delay doubling each time
(JOB_BACKOFF_SECONDS=5,10,20); a Retry-After replaces the delay it comes with.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from conveyor.core.errors import PermanentError, TransientError


class NetworkFailure(TransientError):
    """The model could not be reached (connection refused or reset, DNS, TLS)."""


class ModelTimeout(TransientError):
    """The model did not answer in time."""


class RateLimited(TransientError):
    """HTTP 429: tried again after the server's Retry-After when it gave one."""


class ServerFailure(TransientError):
    """HTTP 5xx: the model's server failed."""


class RequestInvalid(PermanentError):
    """The request is wrong (HTTP 400, 404, 422, ...): trying it again cannot help."""


class AuthenticationFailed(PermanentError):
    """HTTP 401 or 403: the key is missing, wrong or not allowed."""


RETRYABLE = (NetworkFailure, ModelTimeout, RateLimited, ServerFailure)
NOT_RETRYABLE = (RequestInvalid, AuthenticationFailed)
# Failures the job engine records itself that no attempt can fix.
_ENGINE_PERMANENT = {"InvalidPayload", "PermanentError"}


def for_status(status: int, what: str, retry_after: str | None = None, now: float = 0.0) -> Exception | None:
    """The failure an HTTP status means (None for 2xx and 3xx)."""
    if status < 400:
        return None
    if status == 429:
        return RateLimited(f"{what}: HTTP 429 Too Many Requests", retry_after=retry_after_seconds(retry_after, now))
    if status in (401, 403):
        return AuthenticationFailed(f"{what}: HTTP {status}")
    if status == 408:
        return ModelTimeout(f"{what}: HTTP 408")
    if status >= 500:
        return ServerFailure(f"{what}: HTTP {status}")
    return RequestInvalid(f"{what}: HTTP {status}")


def retry_after_seconds(value: str | None, now: float) -> int | None:
    """A Retry-After header's wait (delta-seconds or an HTTP date) from `now`; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0, int(when.timestamp() - now))


def retryable(error_type: str) -> bool:
    """Whether a recorded failure (its class's name) was one worth retrying."""
    return error_type not in {cls.__name__ for cls in NOT_RETRYABLE} | _ENGINE_PERMANENT
