"""REFRESH_TOKEN: exchange an account's refresh token for a new access token."""

from __future__ import annotations

from typing import Any

from conveyor.jobs.context import JobContext
from conveyor.jobs.errors import NeedsReauthorization
from conveyor.jobs.payloads import RefreshTokenPayload
from conveyor.jobs.processors.analytics import connected_account
from conveyor.jobs.services import Services


def refresh_token(payload: RefreshTokenPayload, job: JobContext, services: Services) -> dict[str, Any]:
    account = connected_account(services, payload.account_id)  # an expired access token is why we are here
    try:
        grant = services.platform.refresh_token(account)
    except NeedsReauthorization as error:
        services.accounts.needs_reauth(account.id, str(error))
        raise
    job.checkpoint()
    services.accounts.tokens_refreshed(account.id, grant.access_token, grant.refresh_token, grant.expires_at)
    return {"accountId": account.id, "expiresAt": grant.expires_at}
