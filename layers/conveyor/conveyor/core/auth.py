"""Who is calling: the identity API Gateway's Cognito authorizer verified.

Every REST route and GraphQL operation runs for a `Caller`, read from the claims the
authorizer passed (`requestContext.authorizer.claims`): the user (`sub`), their
organization (the user pool's `custom:organization` attribute, which users cannot
change) and whether they are in the `admin` group. The organization a request acts
for always comes from here, never from its body or query.

API Gateway hands claims over as strings: a list claim such as `cognito:groups`
arrives as `"[admin staff]"`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conveyor.core.errors import Refusal

ORGANIZATION_CLAIM = "custom:organization"
GROUPS_CLAIM = "cognito:groups"
ADMIN_GROUP = "admin"


class Unauthenticated(Refusal):
    code = "UNAUTHENTICATED"
    http_status = 401


class Forbidden(Refusal):
    """Authenticated, but this is another organization's, or needs the admin group."""

    code = "FORBIDDEN"
    http_status = 403


@dataclass(frozen=True)
class Caller:
    subject: str
    organization: str | None
    admin: bool = False

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any] | None) -> Caller:
        if not claims or not claims.get("sub"):
            raise Unauthenticated("no verified identity: send Authorization: Bearer <token>")
        groups = str(claims.get(GROUPS_CLAIM, "")).strip("[]").replace(",", " ").split()
        organization = str(claims.get(ORGANIZATION_CLAIM) or "") or None
        return cls(subject=str(claims["sub"]), organization=organization, admin=ADMIN_GROUP in groups)

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Caller:
        """From an API Gateway REST proxy event."""
        authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
        return cls.from_claims(authorizer.get("claims"))

    def acting_organization(self) -> str:
        """The organization this caller's requests act for."""
        if self.organization is None:
            raise Forbidden("this identity belongs to no organization")
        return self.organization

    def may_see(self, organization: str | None) -> bool:
        """Whether something of `organization` is this caller's to read or change."""
        return self.admin or (organization is not None and organization == self.organization)

    def require_admin(self, what: str) -> None:
        if not self.admin:
            raise Forbidden(f"{what} needs the {ADMIN_GROUP} group")
