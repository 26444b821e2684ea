"""Readable reasons for rejected payloads."""

from __future__ import annotations

from pydantic import ValidationError


def describe(error: ValidationError) -> str:
    """`taskId: Field required; priority: Input should be less than or equal to 600`."""
    return "; ".join(
        f"{'.'.join(str(part) for part in issue['loc']) or 'body'}: {issue['msg']}" for issue in error.errors()
    )
