"""Errors a step raises. Their class names are the error names that the state
machines' `Retry` and `Catch` match, so renaming one is a breaking change."""

from __future__ import annotations


class TransientStepError(Exception):
    """The step may succeed if tried again: retried with backoff."""


class PermanentStepError(Exception):
    """Trying again cannot help: not retried, the run fails."""


class SupersededRunError(Exception):
    """A newer run of the task started: this older one stops, not retried."""


def error_details(error: BaseException) -> dict[str, str]:
    return {"type": type(error).__name__, "message": str(error)}
