"""Settings read once from the environment a template gives a function, and validated.

A composition root builds its settings at cold start with `from_environment()`: a
missing or malformed variable fails the cold start with a message naming the
variable, instead of an empty string failing at the first AWS call.

    class DemoTaskSettings(EnvironmentSettings):
        tasks_table: str = env("TASKS_TABLE")
        window_seconds: int = env("IDEMPOTENCY_WINDOW_SECONDS", default=86400, ge=1)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

_REQUIRED = ...


class ConfigurationError(RuntimeError):
    """The environment does not configure this function: which variables, and why."""


def env(variable: str, default: Any = _REQUIRED, **constraints: Any) -> Any:
    """A field read from environment variable `variable` (pydantic `Field` constraints apply)."""
    return Field(default, alias=variable, **constraints)


class EnvironmentSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, prefix: str = "") -> Self:
        """The settings from `environ` (default: os.environ). With `prefix`, a variable
        `<prefix>NAME` is read as `NAME`, over an unprefixed one: how one function holds the
        settings of several flows (`DEMO_TASK_DISPATCH_QUEUE_URL` beside a shared `TASKS_TABLE`)."""
        values = dict(os.environ if environ is None else environ)
        if prefix:
            values.update({key.removeprefix(prefix): value for key, value in values.items() if key.startswith(prefix)})
        try:
            return cls.model_validate({key: value for key, value in values.items() if value != ""})
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}" for issue in error.errors()
            )
            where = f" (variables prefixed {prefix})" if prefix else ""
            raise ConfigurationError(f"{cls.__name__} from the environment{where}: {problems}") from None
