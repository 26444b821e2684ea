"""Opaque pagination cursors: the key to continue after, as URL-safe text."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

_KEY_FIELDS = {"id", "createdAt"}


class InvalidCursor(ValueError):
    pass


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    if key is None:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidCursor("cursor: not a cursor this API returned") from None
    if not isinstance(key, dict) or not set(key) >= _KEY_FIELDS or not all(isinstance(v, str) for v in key.values()):
        raise InvalidCursor("cursor: not a cursor this API returned")
    return key
