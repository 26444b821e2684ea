"""ISRCs (ISO 3901): how a track is known everywhere, and the id of its point in the index.

An ISRC is 12 letters and digits (`USRC17607839`), compared without regard to case: it is
validated with `^[A-Z0-9]{12}$` ignoring case and normalized to upper case before anything
else reads it. Hyphenated forms (`US-RC1-76-07839`) are not accepted: strip them first.

`hash_isrc_to_uuid` gives the track's point id in Qdrant, the same in every service that
indexes or looks up tracks. To compute it elsewhere:

    hex = SHA-256( UTF-8("6ba7b810-9dad-11d1-80b4-00c04fd430c8") ++ UTF-8(upper-case ISRC) ), as hex
    id  = hex[0:8] "-" hex[8:12] "-" hex[12:16] "-" hex[16:20] "-" hex[20:32]

that is: the text of the namespace UUID (the RFC 4122 DNS namespace, as 36 characters)
followed by the normalized ISRC, hashed once; the first 32 hex digits of the digest, in
the 8-4-4-4-12 layout of a UUID, lower case. No version or variant bits are set. For
example `USRC17607839` -> `5fd78b1e-0573-3677-91d0-56197cc6f1f7`.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum

ISRC_NAMESPACE = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
_ISRC = re.compile(r"^[A-Z0-9]{12}$", re.IGNORECASE)


class IsrcProblem(StrEnum):
    """Why a track cannot be ingested by its ISRC (the `reason` of `ingestion_skipped`)."""

    MISSING = "missing_isrc"
    INVALID = "invalid_isrc"


class InvalidIsrc(ValueError):
    def __init__(self, value: str | None, problem: IsrcProblem) -> None:
        super().__init__(f"{value!r} is not an ISRC (12 letters and digits)" if value else "no ISRC")
        self.problem = problem


def normalize_isrc(value: str | None) -> str:
    """The ISRC in upper case; InvalidIsrc (MISSING or INVALID) otherwise. Surrounding
    whitespace is not part of it."""
    text = (value or "").strip()
    if not text:
        raise InvalidIsrc(value, IsrcProblem.MISSING)
    if not _ISRC.fullmatch(text):
        raise InvalidIsrc(value, IsrcProblem.INVALID)
    return text.upper()


def hash_isrc_to_uuid(isrc: str) -> str:
    """The point id of `isrc` (normalized first; InvalidIsrc if it is not one): see the module."""
    digest = hashlib.sha256((ISRC_NAMESPACE + normalize_isrc(isrc)).encode()).hexdigest()
    return f"{digest[0:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
