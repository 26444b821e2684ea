"""The local cloud's developer identity: a user of the stack's user pool, and its token.

The REST API (like the one on AWS) refuses a request without `Authorization: Bearer
<ID token>`. After each deploy `make up` makes sure the pool has a developer user,
member of the `admin` group and of organization `LOCAL_ORGANIZATION`, and prints a
fresh ID token for it in the ready banner; `make token` prints another (tokens last
24 hours). The user's password is random, made once per state folder and kept in it.
"""

from __future__ import annotations

import json
import secrets
import string
from typing import Any

from localcloud.settings import Settings

DEVELOPER = "developer"
LOCAL_ORGANIZATION = "local"
ADMIN_GROUP = "admin"


def developer_token(settings: Settings, outputs: dict[str, str], cognito: Any) -> str | None:
    """A fresh ID token of the developer user (created if missing); None if the stack has no pool."""
    pool, client = outputs.get("UserPoolId"), outputs.get("UserPoolClientId")
    if not pool or not client:
        return None
    password = _password(settings)
    ensure_user(cognito, pool, DEVELOPER, password, LOCAL_ORGANIZATION, admin=True)
    return id_token(cognito, pool, client, DEVELOPER, password)


def ensure_user(cognito: Any, pool: str, username: str, password: str, organization: str, admin: bool) -> None:
    """A confirmed user with this password and organization (and in the admin group when asked)."""
    try:
        cognito.admin_get_user(UserPoolId=pool, Username=username)
    except cognito.exceptions.UserNotFoundException:
        cognito.admin_create_user(
            UserPoolId=pool,
            Username=username,
            UserAttributes=[{"Name": "custom:organization", "Value": organization}],
            MessageAction="SUPPRESS",
        )
    cognito.admin_update_user_attributes(
        UserPoolId=pool, Username=username, UserAttributes=[{"Name": "custom:organization", "Value": organization}]
    )
    cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password=password, Permanent=True)
    if admin:
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=ADMIN_GROUP)


def id_token(cognito: Any, pool: str, client: str, username: str, password: str) -> str:
    result = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    return str(result["AuthenticationResult"]["IdToken"])


def _password(settings: Settings) -> str:
    path = settings.state_dir / "identity.json"
    if path.exists():
        return str(json.loads(path.read_text())["password"])
    alphabet = string.ascii_letters + string.digits
    password = "".join(secrets.choice(alphabet) for _ in range(20)) + "Aa1!"
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"user": DEVELOPER, "password": password}))
    path.chmod(0o600)
    return password
