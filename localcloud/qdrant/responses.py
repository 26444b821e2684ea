"""Qdrant's response bodies.

Every operation answers `{"result": ..., "status": "ok", "time": <seconds>}` and every
error `{"status": {"error": "<message>"}, "time": <seconds>}`, as JSON. A few service
routes answer their own body instead (`GET /` its version, `/healthz` plain text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_jsonable_python

from localcloud.qdrant.errors import QdrantError

JSON = b"application/json"


@dataclass(frozen=True)
class Reply:
    """A whole response body, answered as it is rather than inside the envelope."""

    body: bytes
    content_type: bytes = JSON


def result(value: Any, seconds: float) -> Reply:
    # Model fields left unset are omitted as Qdrant omits them; None inside a payload is kept.
    envelope = {"result": to_jsonable_python(value, exclude_none=True), "status": "ok", "time": seconds}
    return Reply(json.dumps(envelope).encode())


def error(problem: QdrantError, seconds: float) -> Reply:
    return Reply(json.dumps({"status": {"error": problem.message}, "time": seconds}).encode())


def json_reply(value: Any) -> Reply:
    return Reply(json.dumps(value).encode())


def text_reply(text: str) -> Reply:
    return Reply(text.encode(), b"text/plain; charset=utf-8")
