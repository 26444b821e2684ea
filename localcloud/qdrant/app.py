"""The ASGI application: HTTP in, the operation's handler, Qdrant's response out.

Handlers run one at a time on a thread of their own, off the event loop, so a
brute-force search over thousands of points delays other Qdrant requests but not
the server it shares (MiniStack's, in `make up`), nor its default thread pool.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from localcloud.qdrant import responses, routes
from localcloud.qdrant.errors import QdrantError
from localcloud.qdrant.store import VectorStore

log = logging.getLogger("localcloud.qdrant")


class QdrantApp:
    """A Qdrant-compatible REST endpoint over one `VectorStore`, which it closes on `close()`."""

    def __init__(self, store: VectorStore) -> None:
        self._store = store
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qdrant")

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        started = time.perf_counter()
        status, reply = await self._answer(scope["method"], scope["path"], body, started)
        headers = [(b"content-type", reply.content_type), (b"content-length", str(len(reply.body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})

    async def _answer(self, method: str, path: str, body: bytes, started: float) -> tuple[int, responses.Reply]:
        try:
            handler, params = routes.find(method, path)
            value = await asyncio.get_running_loop().run_in_executor(self._worker, handler, self._store, params, body)
        except QdrantError as problem:
            return problem.status, responses.error(problem, time.perf_counter() - started)
        except Exception as unexpected:  # answered in Qdrant's shape; the traceback goes to the log only
            log.exception("Qdrant endpoint: %s %s failed", method, path)
            problem = QdrantError(f"{type(unexpected).__name__}: {unexpected}")
            return problem.status, responses.error(problem, time.perf_counter() - started)
        if isinstance(value, responses.Reply):
            return 200, value
        return 200, responses.result(value, time.perf_counter() - started)

    def close(self) -> None:
        """Finish the request in progress, then close the store (its folder lock is released)."""
        self._worker.shutdown(wait=True, cancel_futures=True)
        self._store.close()


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _lifespan(receive: Any, send: Any) -> None:
    """Served on its own (tests, bench), the endpoint has nothing to start or stop."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
