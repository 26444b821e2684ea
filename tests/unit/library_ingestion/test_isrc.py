"""ISRCs: validated and normalized before anything reads them; the point id every service computes alike."""

from __future__ import annotations

import hashlib

import pytest

from library_ingestion.isrc import ISRC_NAMESPACE, InvalidIsrc, IsrcProblem, hash_isrc_to_uuid, normalize_isrc


@pytest.mark.parametrize(
    ("given", "normalized"),
    [("USRC17607839", "USRC17607839"), ("usrc17607839", "USRC17607839"), (" gbAYE0601498 ", "GBAYE0601498")],
)
def test_an_isrc_is_twelve_letters_and_digits_in_any_case_and_becomes_upper_case(given: str, normalized: str) -> None:
    assert normalize_isrc(given) == normalized


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        (None, IsrcProblem.MISSING),
        ("", IsrcProblem.MISSING),
        ("   ", IsrcProblem.MISSING),
        ("US-RC1-76-07839", IsrcProblem.INVALID),  # hyphenated: strip the hyphens first
        ("USRC1760783", IsrcProblem.INVALID),  # 11
        ("USRC176078390", IsrcProblem.INVALID),  # 13
        ("USRC1760783É", IsrcProblem.INVALID),
        ("USRC 7607839", IsrcProblem.INVALID),
    ],
)
def test_anything_else_is_missing_or_invalid(given: str | None, problem: IsrcProblem) -> None:
    with pytest.raises(InvalidIsrc) as refused:
        normalize_isrc(given)
    assert refused.value.problem is problem


@pytest.mark.parametrize(
    ("isrc", "point_id"),
    [
        # Fixed vectors: another service (the seed's worker, in TypeScript) computes the same.
        ("USRC17607839", "5fd78b1e-0573-3677-91d0-56197cc6f1f7"),
        ("GBAYE0601498", "16e78802-0fe8-5400-5a56-a644c7561370"),
        ("USRC11700001", "2396f4b7-b9f9-7d99-64b4-d30f8c8f32f8"),
    ],
)
def test_the_point_id_is_fixed_for_an_isrc(isrc: str, point_id: str) -> None:
    assert hash_isrc_to_uuid(isrc) == point_id
    assert hash_isrc_to_uuid(isrc.lower()) == point_id  # normalized first


def test_the_point_id_is_the_documented_recipe() -> None:
    digest = hashlib.sha256(b"6ba7b810-9dad-11d1-80b4-00c04fd430c8" + b"ZZCNV2100001").hexdigest()
    assert ISRC_NAMESPACE == "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
    expected = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    assert hash_isrc_to_uuid("zzcnv2100001") == expected


def test_no_point_id_without_an_isrc() -> None:
    with pytest.raises(InvalidIsrc):
        hash_isrc_to_uuid("not-an-isrc")
