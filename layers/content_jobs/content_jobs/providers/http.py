"""Outbound HTTP for the processors: timeouts, and status codes turned into the core errors.

429            -> RateLimited, with the server's Retry-After (seconds or an HTTP date)
5xx, 408, I/O  -> TransientError: tried again after the backoff
other 4xx      -> PermanentError: trying again cannot help
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import urllib3

from content_jobs.errors import RateLimited
from conveyor.core.clock import Clock, system_clock
from conveyor.core.errors import PermanentError, TransientError

USER_AGENT = "Conveyor/0.1 (+background jobs)"
MAX_BODY_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class HttpClient:
    def __init__(self, timeout_seconds: float, clock: Clock = system_clock) -> None:
        self._clock = clock
        self._pool = urllib3.PoolManager(
            timeout=urllib3.Timeout(total=timeout_seconds), retries=False, headers={"User-Agent": USER_AGENT}
        )

    def request(
        self, method: str, url: str, *, headers: dict[str, str] | None = None, body: Any = None
    ) -> HttpResponse:
        """The response, whatever its status; network failures are transient."""
        try:
            response = self._pool.request(method, url, headers=headers, json=body, preload_content=False, redirect=True)
            data = response.read(MAX_BODY_BYTES, decode_content=True)
            response.release_conn()
        except urllib3.exceptions.HTTPError as error:
            raise TransientError(f"{method} {url}: {type(error).__name__}: {error}") from error
        return HttpResponse(response.status, {k.lower(): v for k, v in response.headers.items()}, data)

    def checked(self, method: str, url: str, **kwargs: Any) -> HttpResponse:
        """The response when 2xx, else the error its status means."""
        response = self.request(method, url, **kwargs)
        self.raise_for_status(response, f"{method} {url}")
        return response

    def raise_for_status(self, response: HttpResponse, what: str) -> None:
        status = response.status
        if 200 <= status < 300:
            return
        if status == 429:
            wait = retry_after(response.headers.get("retry-after"), self._clock())
            raise RateLimited(f"{what}: 429 Too Many Requests", retry_after=wait)
        if status >= 500 or status == 408:
            raise TransientError(f"{what}: HTTP {status}")
        raise PermanentError(f"{what}: HTTP {status}")


def retry_after(value: str | None, now: float) -> int | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), `now` being the
    time in seconds since the epoch; None when absent or unreadable."""
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
