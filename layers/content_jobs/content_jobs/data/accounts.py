"""Connected social accounts: the platform API, tokens, and whether a person must reconnect.

Tokens live in this table to keep the local cloud self-contained; on AWS they
belong in Secrets Manager or a KMS-encrypted attribute behind the same store.
"""

from __future__ import annotations

from typing import Any

from content_jobs.data.table import DataTable
from conveyor.core.clock import parse_iso
from conveyor.core.models import ApiModel

_PK = "ACCOUNT"


class Account(ApiModel):
    id: str
    organization_id: str
    platform: str
    api_url: str
    access_token: str
    refresh_token: str
    token_expires_at: str  # ISO 8601, with a zone
    needs_reauth: bool = False
    last_job_id: str | None = None

    def token_expired(self, now: float) -> bool:
        return parse_iso(self.token_expires_at).timestamp() <= now

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Account:
        return cls.model_validate({**item, "id": item["sk"]})


class AccountStore:
    def __init__(self, data: DataTable) -> None:
        self._data = data

    def connect(self, account: Account) -> None:
        """An account whose owner completed the platform's OAuth flow."""
        values = account.model_dump(exclude={"id", "last_job_id"})
        values.update(apiUrl=account.api_url.rstrip("/"), needsReauth=False, connectedAt=self._data.now())
        self._data.put({"pk": _PK, "sk": account.id, **values})

    def get(self, account_id: str) -> Account | None:
        item = self._data.get(_PK, account_id)
        return Account.from_item(item) if item else None

    def needs_reauth(self, account_id: str, reason: str) -> None:
        values = {"needsReauth": True, "reauthReason": reason[:500], "reauthSince": self._data.now()}
        self._data.set(_PK, account_id, values)

    def tokens_refreshed(self, account_id: str, access_token: str, refresh_token: str, expires_at: str) -> None:
        values = {"accessToken": access_token, "refreshToken": refresh_token, "tokenExpiresAt": expires_at}
        values.update(needsReauth=False, refreshedAt=self._data.now())
        self._data.set(_PK, account_id, values, remove=("reauthReason",))

    def schedulable(self) -> list[Account]:
        return [account for account in map(Account.from_item, self._data.query(_PK)) if not account.needs_reauth]

    def set_last_job(self, account_id: str, job_id: str) -> None:
        self._data.set(_PK, account_id, {"lastJobId": job_id})
