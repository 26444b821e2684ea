"""The social platforms' APIs: the `PlatformClient` interface and its HTTP implementation.

The HTTP client speaks a small REST shape (the local platform in the tests
serves it); a platform-specific client implements the same three calls.

    GET  {apiUrl}/v1/accounts/{id}/posts   -> {"posts": [{"id", "publishedAt", "impressions", ...}]}
    POST {apiUrl}/v1/accounts/{id}/posts   {"text"}, Idempotency-Key: <key> -> {"id", "url"}
    POST {apiUrl}/oauth/token              {"grant_type": "refresh_token", ...} -> {"access_token", ...}

A post carries an `Idempotency-Key` header, as the platforms' APIs take it: the same
key again answers with the post already made instead of making another, so a post
retried after a timeout or a 503 (the platform may have stored it) is made once.

401 means the token is expired or revoked: `NeedsReauthorization`, never retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from content_jobs.data.accounts import Account
from content_jobs.errors import NeedsReauthorization
from content_jobs.providers.http import HttpClient, HttpResponse
from conveyor.core.clock import Clock, iso, system_clock

METRIC_FIELDS = ("impressions", "likes", "comments", "shares", "clicks")
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    refresh_token: str
    expires_at: str


class PlatformClient(Protocol):
    def post_metrics(self, account: Account) -> list[dict[str, Any]]: ...

    def publish(self, account: Account, text: str, idempotency_key: str) -> dict[str, Any]: ...

    def refresh_token(self, account: Account) -> TokenGrant: ...


class HttpPlatformClient:
    def __init__(self, http: HttpClient, clock: Clock = system_clock) -> None:
        self._http = http
        self._clock = clock

    def post_metrics(self, account: Account) -> list[dict[str, Any]]:
        response = self._authorized(account, "GET", f"/v1/accounts/{account.id}/posts")
        return [
            {
                "postId": str(post["id"]),
                "publishedAt": post.get("publishedAt"),
                **{name: int(post.get(name, 0)) for name in METRIC_FIELDS},
            }
            for post in response.json().get("posts", [])
        ]

    def publish(self, account: Account, text: str, idempotency_key: str) -> dict[str, Any]:
        path = f"/v1/accounts/{account.id}/posts"
        response = self._authorized(account, "POST", path, {"text": text}, {IDEMPOTENCY_HEADER: idempotency_key})
        post = response.json()
        return {"postId": str(post["id"]), "url": post.get("url", "")}

    def refresh_token(self, account: Account) -> TokenGrant:
        request = {"grant_type": "refresh_token", "refresh_token": account.refresh_token}
        response = self._http.request("POST", f"{account.api_url}/oauth/token", body=request)
        if response.status in (400, 401):  # invalid_grant: the refresh token is no good either
            raise NeedsReauthorization(f"{account.platform} refused the refresh token: {_error_of(response)}")
        self._http.raise_for_status(response, f"refresh token of {account.id}")
        grant = response.json()
        return TokenGrant(
            access_token=grant["access_token"],
            refresh_token=grant.get("refresh_token", account.refresh_token),
            expires_at=iso(self._clock() + int(grant.get("expires_in", 3600))),
        )

    def _authorized(
        self, account: Account, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> HttpResponse:
        headers = {**(headers or {}), "Authorization": f"Bearer {account.access_token}"}
        response = self._http.request(method, account.api_url + path, headers=headers, body=body)
        if response.status == 401:
            raise NeedsReauthorization(f"{account.platform} rejected the token of {account.id}: {_error_of(response)}")
        self._http.raise_for_status(response, f"{method} {path}")
        return response


def _error_of(response: HttpResponse) -> str:
    try:
        return str(response.json().get("error", response.status))
    except ValueError:
        return str(response.status)
