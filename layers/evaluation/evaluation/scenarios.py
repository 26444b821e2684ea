"""A scenario: one prompt a model is probed with, what a good answer mentions, and (for the
local model only) how the call should behave: its latency, and a failure on demand.

    simulate.failure      TRANSIENT       a network error               retried
                          TIMEOUT         the call timed out            retried
                          RATE_LIMITED    HTTP 429 with Retry-After      retried after Retry-After
                          SERVER_ERROR    HTTP 5xx                      retried
                          VALIDATION      HTTP 400: the request is bad  fails at once
                          AUTHENTICATION  HTTP 401: the key is refused  fails at once
    simulate.failAttempts the first N attempts fail, later ones succeed (absent: every attempt)

Other providers ignore `simulate`: a real model fails by itself.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field

from conveyor.core.ids import Identifier
from conveyor.core.models import ApiModel

Keyword = Annotated[str, Field(min_length=1, max_length=80)]


class FailureMode(StrEnum):
    TRANSIENT = "TRANSIENT"
    TIMEOUT = "TIMEOUT"
    RATE_LIMITED = "RATE_LIMITED"
    SERVER_ERROR = "SERVER_ERROR"
    VALIDATION = "VALIDATION"
    AUTHENTICATION = "AUTHENTICATION"


class Simulation(ApiModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    latency_ms: Annotated[int | None, Field(ge=0, le=60_000)] = None
    failure: FailureMode | None = None
    fail_attempts: Annotated[int | None, Field(ge=1, le=10)] = None
    retry_after_seconds: Annotated[int | None, Field(ge=0, le=900)] = None

    def fails(self, attempt: int) -> bool:
        """Whether attempt `attempt` (1-based) fails."""
        return self.failure is not None and (self.fail_attempts is None or attempt <= self.fail_attempts)


class Expectation(ApiModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    keywords: Annotated[list[Keyword], Field(max_length=50)] = []
    answer: Annotated[str | None, Field(max_length=4000)] = None


class Scenario(ApiModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    name: Annotated[str, Field(min_length=1, max_length=200)]
    prompt: Annotated[str, Field(min_length=1, max_length=8000)]
    system: Annotated[str | None, Field(max_length=4000)] = None
    expected: Expectation | None = None
    simulate: Simulation | None = None
