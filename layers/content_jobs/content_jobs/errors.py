"""How the content jobs' remote services fail, in the core vocabulary."""

from __future__ import annotations

from conveyor.core.errors import PermanentError, TransientError


class RateLimited(TransientError):
    """The remote service answered 429 Too Many Requests: tried again after its Retry-After."""


class NeedsReauthorization(PermanentError):
    """The account's token expired or was revoked: a person must connect it again."""


class OtherOrganization(PermanentError):
    """The job names an account, source or document of another organization: to the job, as
    good as unknown (the message does not say whose it is)."""
