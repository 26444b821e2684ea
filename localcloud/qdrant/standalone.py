"""The endpoint served on its own, from a thread of this process, without MiniStack.

`make up` serves the endpoint on a port of the local cloud's server
(`localcloud.server`); tests and the bench that need only a Qdrant endpoint start
this instead, in a fraction of a second.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path
from types import TracebackType

from hypercorn.asyncio import serve
from hypercorn.config import Config

from localcloud.qdrant.app import QdrantApp
from localcloud.qdrant.store import VectorStore

HOST = "127.0.0.1"


class StandaloneEndpoint:
    """`with StandaloneEndpoint(path) as endpoint:` serves at `endpoint.url` until the block ends."""

    def __init__(self, path: Path | None) -> None:
        """`path`: the folder to keep collections in; None keeps them in memory."""
        self.path = path
        self.port = _free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.app: QdrantApp | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 30) -> StandaloneEndpoint:
        self.app = QdrantApp(VectorStore(self.path))
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), name="qdrant-endpoint", daemon=True)
        self._thread.start()
        started.wait(timeout)
        deadline = time.monotonic() + timeout
        while not _answers(self.port):
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"the Qdrant endpoint did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._loop and self._stop and self._thread:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout=30)
        if self.app:
            self.app.close()
            self.app = None

    def __enter__(self) -> StandaloneEndpoint:
        return self.start()

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    def _run(self, started: threading.Event) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            started.set()
            config = Config()
            config.bind = [f"{HOST}:{self.port}"]
            config.accesslog = None
            assert self.app is not None
            await serve(self.app, config, shutdown_trigger=self._stop.wait)

        asyncio.run(main())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((HOST, port)) == 0
