"""Every call the console makes to Conveyor's own REST API, in one place.

The API is being reworked while the console is built, so the differences live
here and nowhere else:

- **paging**: every list pages with `nextToken`, passed back as it came.
- **errors**: every error body is `{"statusCode", "code", "message", "detail"?}`
  (`conveyor.core.rest.ErrorResponse`); it becomes an `ApiError` with a status and a message.
- **auth**: every request carries `Authorization: Bearer <token>`: the token given
  (`--token`, `CONVEYOR_TOKEN`), or the one a command prints (`--token-command`, which
  `make up` sets to `python -m localcloud token`), run again when the API answers 401
  (tokens expire).
"""

from __future__ import annotations

import json
import shlex
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

TASK_STATUSES = ("QUEUED", "RUNNING", "SUCCEEDED", "FAILED")
JOB_STATUSES = ("PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED")
_TIMEOUT_SECONDS = 15
# GraphQL answers 200 with errors; each error's code, as the REST API would answer it.
_GRAPHQL_STATUS = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404, "CONFLICT": 409, "VALIDATION_ERROR": 422}


class ApiError(Exception):
    """Conveyor's API refused a request, or could not be reached (status 0)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status or 'unreachable'}: {message}")
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_token: str | None  # pass back as `token` for the next page (the API's nextToken)


class BearerToken:
    """The token sent to Conveyor's API: a fixed one, or the one `command` prints (the token,
    or `export CONVEYOR_TOKEN=<token>`), fetched when first needed and again after a 401."""

    def __init__(self, token: str | None = None, command: str | None = None) -> None:
        self._token = token
        self._command = command
        self._lock = threading.Lock()

    @property
    def renewable(self) -> bool:
        return self._command is not None

    def current(self) -> str | None:
        if self._token is None and self._command is not None:
            self.renew()
        return self._token

    def renew(self) -> None:
        if self._command is None:
            return
        with self._lock:
            result = subprocess.run(shlex.split(self._command), capture_output=True, text=True, timeout=60)
            if result.returncode != 0:
                raise ApiError(401, f"the token command failed: {result.stderr.strip()[:300]}")
            last_line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
            self._token = last_line.removeprefix("export CONVEYOR_TOKEN=").strip() or None


class ConveyorApi:
    def __init__(self, base_url: str, token: str | BearerToken | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token if isinstance(token, BearerToken) else BearerToken(token)

    # --- demo tasks ----------------------------------------------------------------

    def tasks(self, status: str, limit: int = 25, token: str | None = None) -> Page:
        return self._page("/tasks", "tasks", {"status": status, "limit": limit}, token)

    def task(self, task_id: str) -> dict[str, Any]:
        return self._call("GET", f"/tasks/{_segment(task_id)}")

    def replay_task(self, task_id: str) -> dict[str, Any]:
        return self._call("POST", f"/tasks/{_segment(task_id)}/retry")

    # --- jobs ----------------------------------------------------------------------

    def jobs(self, filters: dict[str, str | None], limit: int = 25, token: str | None = None) -> Page:
        query = {name: value for name, value in filters.items() if value}
        return self._page("/jobs", "jobs", {**query, "limit": limit}, token)

    def job(self, job_id: str) -> dict[str, Any]:
        return self._call("GET", f"/jobs/{_segment(job_id)}")

    def cancel_job(self, job_id: str) -> dict[str, Any]:
        return self._call("DELETE", f"/jobs/{_segment(job_id)}")

    def retry_job(self, job_id: str) -> dict[str, Any]:
        return self._call("POST", f"/jobs/{_segment(job_id)}/retry")

    def job_stats(self) -> dict[str, Any]:
        return self._call("GET", "/jobs/stats")

    # --- GraphQL -------------------------------------------------------------------

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """An operation's `data`; its first error as an ApiError (its `extensions.code` as a status)."""
        body = self._call("POST", "/graphql", body={"query": query, "variables": variables or {}})
        errors = body.get("errors") or []
        if errors:
            code = (errors[0].get("extensions") or {}).get("code", "")
            raise ApiError(_GRAPHQL_STATUS.get(code, 400), str(errors[0].get("message", code)))
        return body.get("data") or {}

    # --- the wire ------------------------------------------------------------------

    def _page(self, path: str, key: str, query: dict[str, Any], token: str | None) -> Page:
        body = self._call("GET", path, {**query, "nextToken": token} if token else query)
        return Page(body.get(key, []), body.get("nextToken"))

    def _call(
        self, method: str, path: str, query: dict[str, Any] | None = None, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        try:
            return self._send(method, path, query, body)
        except ApiError as error:
            if error.status != 401 or not self._token.renewable:
                raise
            self._token.renew()  # it expired: once more with a fresh one
            return self._send(method, path, query, body)

    def _send(
        self, method: str, path: str, query: dict[str, Any] | None, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        url = self.base_url + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        headers = {"accept": "application/json"}
        token = self._token.current()
        if token:
            headers["authorization"] = f"Bearer {token}"
        data = b"" if method == "POST" else None
        if body is not None:
            data, headers["content-type"] = json.dumps(body).encode(), "application/json"
        request = urllib.request.Request(url, method=method, headers=headers, data=data)
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
                return _json(response.read())
        except urllib.error.HTTPError as error:
            raise ApiError(error.code, _error_message(error.code, error.read())) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise ApiError(0, f"Conveyor's API at {self.base_url} did not answer: {reason}") from None


def _segment(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _json(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise ApiError(502, f"Conveyor's API answered something that is not JSON: {raw[:200]!r}") from None
    return body if isinstance(body, dict) else {"items": body}


def _error_message(status: int, raw: bytes) -> str:
    try:
        body = json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")[:500] or f"HTTP {status}"
    if isinstance(body, dict):
        if body.get("message"):
            return str(body["message"])
        if isinstance(body.get("detail"), list):
            return "; ".join(f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg', '')}" for d in body["detail"])
    return json.dumps(body)[:500]
