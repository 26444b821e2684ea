"""Outbound HTTP for the processors: timeouts, redirects, the addresses a request may
reach, and status codes turned into the core errors.

429            -> RateLimited, with the server's Retry-After (seconds or an HTTP date)
5xx, 408, I/O  -> TransientError: tried again after the backoff
other 4xx      -> PermanentError: trying again cannot help
3xx            -> followed, up to MAX_REDIRECTS (a 303 becomes a GET)

Given an `AddressPolicy` (the website and feed fetches: their URLs come from payloads),
every connection, the first and each redirect's, goes only to an address the policy
permits (`providers/addresses.py`); any other is `AddressNotAllowed`, permanent.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import Retry

from content_jobs.errors import RateLimited
from content_jobs.providers.addresses import AddressPolicy
from conveyor.core.clock import Clock, system_clock
from conveyor.core.errors import PermanentError, TransientError

USER_AGENT = "Conveyor/0.1 (+background jobs)"
MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class HttpClient:
    def __init__(
        self, timeout_seconds: float, clock: Clock = system_clock, addresses: AddressPolicy | None = None
    ) -> None:
        self._clock = clock
        # Redirects only: a failed connection or read is the job's to retry, after its backoff.
        retries = Retry(
            total=None, connect=0, read=0, status=0, other=0, redirect=MAX_REDIRECTS, raise_on_redirect=False
        )
        self._pool = urllib3.PoolManager(
            timeout=urllib3.Timeout(total=timeout_seconds), retries=retries, headers={"User-Agent": USER_AGENT}
        )
        if addresses is not None:
            self._pool.pool_classes_by_scheme = _guarded_pools(addresses)

    def request(
        self, method: str, url: str, *, headers: dict[str, str] | None = None, body: Any = None
    ) -> HttpResponse:
        """The response, whatever its status; network failures are transient."""
        try:
            response = self._pool.request(method, url, headers=headers, json=body, preload_content=False)
            data = response.read(MAX_BODY_BYTES, decode_content=True)
            response.release_conn()
        except urllib3.exceptions.HTTPError as error:
            reason = getattr(error, "reason", None) or error  # MaxRetryError wraps what happened
            raise TransientError(f"{method} {url}: {type(reason).__name__}: {reason}") from error
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


class _GuardedConnection(HTTPConnection):
    """Connects only to addresses its policy permits (the pools below give it one)."""

    addresses: AddressPolicy

    def _new_conn(self) -> socket.socket:
        try:
            entries = self.addresses.resolve(self._dns_host, self.port)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        failure: OSError | None = None
        for family, kind, protocol, _, sockaddr in entries:
            sock = socket.socket(family, kind, protocol)
            try:
                for option in self.socket_options or ():
                    sock.setsockopt(*option)
                if isinstance(self.timeout, int | float):
                    sock.settimeout(self.timeout)
                sock.connect(sockaddr)
                return sock
            except TimeoutError as error:
                sock.close()
                raise ConnectTimeoutError(self, f"connection to {self.host} timed out") from error
            except OSError as error:
                sock.close()
                failure = error
        raise NewConnectionError(self, f"Failed to establish a new connection: {failure}")


def _guarded_pools(addresses: AddressPolicy) -> dict[str, type[HTTPConnectionPool]]:
    """Pool classes (http, https) whose connections go only where `addresses` permits."""
    http = type("GuardedHTTPConnection", (_GuardedConnection,), {"addresses": addresses})
    https = type("GuardedHTTPSConnection", (_GuardedConnection, HTTPSConnection), {"addresses": addresses})
    return {
        "http": type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
        "https": type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
    }
