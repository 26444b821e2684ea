"""The connected account a platform job works for, and what a refused token means for it.

A job uses only its own organization's accounts: an account of another organization is
answered as an unknown one (`OtherOrganization`), so no organization posts, reads
analytics or refreshes tokens through another's account.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from content_jobs.data.accounts import Account, AccountStore
from content_jobs.errors import NeedsReauthorization, OtherOrganization
from conveyor.core.clock import Clock, system_clock


@dataclass(frozen=True)
class ConnectedAccounts:
    accounts: AccountStore
    clock: Clock = system_clock

    def connected(self, account_id: str, organization_id: str) -> Account:
        """The organization's account (OtherOrganization when it is unknown or someone else's)."""
        account = self.accounts.get(account_id)
        if account is None or account.organization_id != organization_id:
            raise OtherOrganization(f"no connected account {account_id!r} in organization {organization_id!r}")
        return account

    def usable(self, account_id: str, organization_id: str) -> Account:
        """The organization's account, unless it is unknown or must be re-authorized first (never
        worth a retry)."""
        account = self.connected(account_id, organization_id)
        if account.needs_reauth:
            raise NeedsReauthorization(f"account {account_id} needs re-authorization")
        if account.token_expired(self.clock()):
            reason = f"access token expired at {account.token_expires_at}"
            self.accounts.needs_reauth(account_id, reason)
            raise NeedsReauthorization(f"account {account_id}: {reason}")
        return account

    @contextmanager
    def reauthorization_noted(self, account: Account) -> Iterator[None]:
        """A platform that refuses the account's token marks it: a person must reconnect it."""
        try:
            yield
        except NeedsReauthorization as error:
            self.accounts.needs_reauth(account.id, str(error))
            raise
