"""The connected account a platform job works for, and what a refused token means for it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from content_jobs.data.accounts import Account, AccountStore
from content_jobs.errors import NeedsReauthorization
from conveyor.core.clock import Clock, system_clock
from conveyor.core.errors import PermanentError


@dataclass(frozen=True)
class ConnectedAccounts:
    accounts: AccountStore
    clock: Clock = system_clock

    def connected(self, account_id: str) -> Account:
        account = self.accounts.get(account_id)
        if account is None:
            raise PermanentError(f"no connected account {account_id!r}")
        return account

    def usable(self, account_id: str) -> Account:
        """The account, unless it is unknown or must be re-authorized first (never worth a retry)."""
        account = self.connected(account_id)
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
