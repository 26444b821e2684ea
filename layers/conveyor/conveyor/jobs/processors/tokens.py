"""REFRESH_TOKEN: exchange an account's refresh token for a new access token."""

from __future__ import annotations

from typing import Any

from conveyor.jobs.context import JobContext
from conveyor.jobs.errors import NeedsReauthorization, PermanentJobError
from conveyor.jobs.payloads import RefreshTokenPayload
from conveyor.jobs.services import Services


def refresh_token(payload: RefreshTokenPayload, job: JobContext, services: Services) -> dict[str, Any]:
    account = services.accounts.get(payload.account_id)
    if account is None:
        raise PermanentJobError(f"no connected account {payload.account_id!r}")
    try:
        grant = services.platform.refresh_token(account)
    except NeedsReauthorization as error:
        services.accounts.needs_reauth(account.id, str(error))
        raise
    job.checkpoint()
    services.accounts.tokens_refreshed(account.id, grant.access_token, grant.refresh_token, grant.expires_at)
    return {"accountId": account.id, "expiresAt": grant.expires_at}
