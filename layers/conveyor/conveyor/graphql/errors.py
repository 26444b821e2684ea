"""How an operation's errors are answered: one vocabulary with the REST API.

Each error of a response carries `extensions.code` (the same codes as the REST API's
`ErrorResponse`: NOT_FOUND, CONFLICT, FORBIDDEN, VALIDATION_ERROR, BAD_REQUEST, ...) and,
when one input is wrong, `extensions.field`, its path in the operation's arguments
(`input.samplePercentage`). A refusal raised by business code keeps its message; an
argument that fails a pydantic model names each wrong field; anything unexpected is
logged and answered INTERNAL without its text.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from graphql import GraphQLError
from pydantic import ValidationError
from pydantic.alias_generators import to_camel

from conveyor.core.errors import Refusal

logger = Logger(child=True)


class ArgumentError(Refusal):
    """An argument is not valid: raise it with the argument's path as `field`."""

    code = "VALIDATION_ERROR"
    http_status = 422


def format_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
    formatted: dict[str, Any] = error.formatted
    original = error.original_error
    if original is None:  # syntax, unknown field, wrong variable type: the request's own fault
        formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": "BAD_REQUEST"}
    elif isinstance(original, Refusal):
        extensions = {"code": original.code, **({"field": original.field} if original.field else {})}
        formatted["extensions"] = extensions
    elif isinstance(original, ValidationError):
        first = original.errors()[0]
        path = ".".join(to_camel(str(part)) if isinstance(part, str) else str(part) for part in first["loc"])
        formatted["message"] = f"{path}: {first['msg']}"
        formatted["extensions"] = {"code": "VALIDATION_ERROR", "field": path}
    else:
        logger.exception("unexpected error resolving a GraphQL field", exc_info=original)
        formatted["message"] = "internal error; the request id is in the logs"
        formatted["extensions"] = {"code": "INTERNAL"}
    return formatted
