"""Connected social accounts: the platform API, tokens, and whether a person must reconnect.

Tokens live in this table to keep the local cloud self-contained; on AWS they
belong in Secrets Manager or a KMS-encrypted attribute behind the same store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from conveyor.jobs.data.table import DataTable
from conveyor.jobs.records import now_iso

_PK = "ACCOUNT"


@dataclass(frozen=True)
class Account:
    id: str
    organization_id: str
    platform: str
    api_url: str
    access_token: str
    refresh_token: str
    token_expires_at: str  # ISO 8601, UTC
    needs_reauth: bool = False
    last_job_id: str | None = None

    def token_expired(self, now: datetime | None = None) -> bool:
        expires = datetime.fromisoformat(self.token_expires_at.replace("Z", "+00:00"))
        return expires <= (now or datetime.now(UTC))

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Account:
        return cls(
            id=item["sk"],
            organization_id=item["organizationId"],
            platform=item["platform"],
            api_url=item["apiUrl"],
            access_token=item["accessToken"],
            refresh_token=item["refreshToken"],
            token_expires_at=item["tokenExpiresAt"],
            needs_reauth=bool(item.get("needsReauth", False)),
            last_job_id=item.get("lastJobId"),
        )


class AccountStore:
    def __init__(self, data: DataTable) -> None:
        self._data = data

    def connect(self, account: Account) -> None:
        """An account whose owner completed the platform's OAuth flow."""
        self._data.table.put_item(
            Item={
                "pk": _PK,
                "sk": account.id,
                "organizationId": account.organization_id,
                "platform": account.platform,
                "apiUrl": account.api_url.rstrip("/"),
                "accessToken": account.access_token,
                "refreshToken": account.refresh_token,
                "tokenExpiresAt": account.token_expires_at,
                "needsReauth": False,
                "connectedAt": now_iso(),
            }
        )

    def get(self, account_id: str) -> Account | None:
        item = self._data.get(_PK, account_id)
        return Account.from_item(item) if item else None

    def needs_reauth(self, account_id: str, reason: str) -> None:
        self._data.set(_PK, account_id, {"needsReauth": True, "reauthReason": reason[:500], "reauthSince": now_iso()})

    def tokens_refreshed(self, account_id: str, access_token: str, refresh_token: str, expires_at: str) -> None:
        values = {"accessToken": access_token, "refreshToken": refresh_token, "tokenExpiresAt": expires_at}
        self._data.set(_PK, account_id, {**values, "needsReauth": False, "refreshedAt": now_iso()}, ("reauthReason",))

    def schedulable(self) -> list[Account]:
        return [account for account in map(Account.from_item, self._data.query(_PK)) if not account.needs_reauth]

    def set_last_job(self, account_id: str, job_id: str) -> None:
        self._data.set(_PK, account_id, {"lastJobId": job_id})
