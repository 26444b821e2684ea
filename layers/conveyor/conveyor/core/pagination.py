"""`nextToken`: how every listing pages, as AWS APIs do.

A token is the DynamoDB key to continue after, as URL-safe text. What comes back in
is checked before it reaches DynamoDB: it must decode to exactly the key attributes
the listing hands out, with string or whole-number values of a bounded size, and with
the values the listing fixes (its partition) unchanged. Anything else is an
`InvalidRequest` naming `nextToken`, never an error from DynamoDB.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from conveyor.core.dynamo import plain
from conveyor.core.errors import InvalidRequest

MAX_TOKEN_CHARS = 4096
_MAX_VALUE_CHARS = 1024


class PageTokens:
    """Encodes and checks the tokens of one listing, whose keys have `attributes`."""

    def __init__(self, *attributes: str) -> None:
        self._attributes = frozenset(attributes)

    def encode(self, key: Mapping[str, Any] | None) -> str | None:
        if not key:
            return None
        text = json.dumps(plain(dict(key)), separators=(",", ":"), sort_keys=True)
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def decode(self, token: str | None, fixed: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """The key in `token` (None for the first page); `fixed` are values it must carry."""
        if not token:
            return None
        key = self._parse(token)
        if key is None or set(key) != self._attributes or not all(map(_valid_value, key.values())):
            raise InvalidRequest("nextToken is not a token this listing handed out", field="nextToken")
        if any(key.get(name) != value for name, value in (fixed or {}).items()):
            raise InvalidRequest("nextToken belongs to another listing (its filters changed)", field="nextToken")
        return key

    @staticmethod
    def _parse(token: str) -> dict[str, Any] | None:
        if len(token) > MAX_TOKEN_CHARS:
            return None
        try:
            key = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return None
        return key if isinstance(key, dict) else None


def _valid_value(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return 0 < len(value.encode()) <= _MAX_VALUE_CHARS
    return isinstance(value, int) and abs(value) < 10**18
