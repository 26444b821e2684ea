"""`http://127.0.0.1:3000`: the stack's REST API at a stable base URL, served as AWS serves
a custom domain whose root base path is mapped to the API's stage.

A request for `/tasks` on the API port is passed to MiniStack as
`/_aws/execute-api/<api id>/<stage>/tasks`. The API's id is looked up again at most every
`TARGET_TTL_SECONDS`: a deploy that changes the routes gives the API a new id on
MiniStack (AWS keeps it).

What the handler sees is what AWS gives a request through such a custom domain: the
`path` and `requestContext.path` carry no stage (`/tasks`, where the execute-api URL gives
`requestContext.path: /v1/tasks`), and `requestContext.domainName` is the host. So an API
that describes where it is from the request (Powertools' OpenAPI `servers`) names `/`
here and `/v1` on the stage URL, and "Try it out" in Swagger UI works on both.
The client's path bytes pass as they came (percent-encoding included).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import time
from collections.abc import Callable
from typing import Any

Asgi = Callable[..., Any]
ApiTarget = tuple[str, str]  # (REST API id, stage name)

# The host of a request that arrived on the API port, while MiniStack handles it.
_custom_domain: contextvars.ContextVar[str | None] = contextvars.ContextVar("localcloud_api_domain", default=None)


class LocalApiRoute:
    """ASGI middleware: requests arriving on `api_port` go to the stack's REST API."""

    TARGET_TTL_SECONDS = 2.0

    def __init__(self, app: Asgi, api_port: int, resolve_target: Callable[[], ApiTarget | None]) -> None:
        self._app = app
        self._api_port = api_port
        self._resolve_target = resolve_target
        self._target: ApiTarget | None = None
        self._resolved_at = 0.0

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or (scope.get("server") or (None, None))[1] != self._api_port:
            await self._app(scope, receive, send)
            return
        if self._target is None or time.monotonic() - self._resolved_at > self.TARGET_TTL_SECONDS:
            self._target = await asyncio.to_thread(self._resolve_target)
            self._resolved_at = time.monotonic()
        if self._target is None:
            await _plain_response(send, 503, b"The stack has no REST API yet: wait for the deploy to finish.\n")
            return
        api_id, stage = self._target
        prefix = f"/_aws/execute-api/{api_id}/{stage}"
        raw_path = scope.get("raw_path") or scope["path"].encode()
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        token = _custom_domain.set(host or f"127.0.0.1:{self._api_port}")
        try:
            await self._app(
                {**scope, "path": prefix + scope["path"], "raw_path": prefix.encode() + raw_path}, receive, send
            )
        finally:
            _custom_domain.reset(token)


def serve_as_custom_domain() -> None:
    """Make MiniStack build the Lambda proxy event of a request that came through the API
    port as AWS builds it for a custom domain (see the module docstring)."""
    from ministack.services import apigateway_v1

    apigateway_v1._build_lambda_event_v1 = _as_custom_domain(apigateway_v1._build_lambda_event_v1)


def _as_custom_domain(build: Any) -> Any:
    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> dict:
        event = build(*args, **kwargs)
        domain = _custom_domain.get()
        if domain is not None:
            context = event.setdefault("requestContext", {})
            context["path"] = event.get("path", context.get("path"))
            context["domainName"] = domain
        return event

    return wrapper


async def _plain_response(send: Any, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})
