"""Request bodies and path values, parsed as Qdrant parses them.

Bodies parse into qdrant-client's REST models (the shapes of Qdrant's OpenAPI). Two
things Qdrant checks while parsing that those models and local mode do not:

- a point id is an unsigned integer or a UUID (local mode also stores -1);
- `POST /collections/{name}/points/search` takes a `SearchRequest`, which Qdrant
  still serves but qdrant-client no longer ships a model for (it sends `/points/query`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from qdrant_client.http import models

from localcloud.qdrant.errors import FormatError

_ERRORS_SHOWN = 3


class NamedVector(BaseModel, extra="forbid"):
    name: str
    vector: list[float]


class NamedSparseVector(BaseModel, extra="forbid"):
    name: str
    vector: models.SparseVector


class SearchRequest(BaseModel, extra="forbid"):
    """Qdrant's `SearchRequest`: the nearest points to one vector, optionally filtered."""

    vector: list[float] | NamedVector | NamedSparseVector
    filter: models.Filter | None = None
    params: models.SearchParams | None = None
    limit: int
    offset: int | None = None
    with_payload: models.WithPayloadInterface | None = None
    with_vector: models.WithVector | None = None
    score_threshold: float | None = None
    shard_key: models.ShardKeySelector | None = None

    def query_vector(self) -> tuple[list[float] | models.SparseVector, str | None]:
        """The vector to search by and the name of the collection's vector it is compared with."""
        if isinstance(self.vector, list):
            return self.vector, None
        return self.vector.vector, self.vector.name


def parse_body(shape: Any, body: bytes) -> Any:
    """The JSON `body` as `shape` (a model or a union of models), or FormatError saying what is wrong."""
    try:
        data = json.loads(body or b"null")
    except ValueError as error:
        raise FormatError(str(error)) from error
    if data is None:
        raise FormatError("the request needs a JSON body")
    try:
        return _adapter(shape).validate_python(data)
    except ValidationError as error:
        raise FormatError(_describe(error)) from error


def point_id(text: str) -> int | str:
    """A point id from a URL path: an unsigned integer or a UUID."""
    value: int | str = int(text) if text.isdigit() else text
    check_point_ids([value])
    return value


def check_point_ids(ids: Iterable[models.ExtendedPointId]) -> None:
    for value in ids:
        if isinstance(value, int) and value >= 0:
            continue
        if isinstance(value, str) and _is_uuid(value):
            continue
        raise FormatError(
            f"value {value} is not a valid point ID, valid values are either an unsigned integer or a UUID"
        )


@cache
def _adapter(shape: Any) -> TypeAdapter[Any]:
    return TypeAdapter(shape)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _describe(error: ValidationError) -> str:
    """The first few problems, each with where it is: a union's every alternative would drown them."""
    problems = [
        f"{'.'.join(str(part) for part in problem['loc']) or 'body'}: {problem['msg']}"
        for problem in error.errors(include_url=False)
    ]
    more = len(problems) - _ERRORS_SHOWN
    return "; ".join(problems[:_ERRORS_SHOWN]) + (f" (and {more} more)" if more > 0 else "")
