"""REFRESH_TOKEN: exchange an account's refresh token for a new access token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from content_jobs.data.accounts import AccountStore
from content_jobs.payloads import RefreshTokenPayload
from content_jobs.processors.accounts import ConnectedAccounts
from content_jobs.providers.platform import PlatformClient
from conveyor.jobs.context import JobContext


@dataclass(frozen=True)
class RefreshToken:
    accounts: ConnectedAccounts
    platform: PlatformClient
    store: AccountStore

    def __call__(self, payload: RefreshTokenPayload, job: JobContext) -> dict[str, Any]:
        # An expired access token is why we are here: connected, not usable.
        account = self.accounts.connected(payload.account_id, job.organization_id)
        with self.accounts.reauthorization_noted(account):
            grant = self.platform.refresh_token(account)
        job.checkpoint()
        self.store.tokens_refreshed(account.id, grant.access_token, grant.refresh_token, grant.expires_at)
        return {"accountId": account.id, "expiresAt": grant.expires_at}
