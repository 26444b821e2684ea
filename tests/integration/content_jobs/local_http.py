"""Local HTTP servers the job tests point their jobs at: websites, feeds, a platform API.

Each path answers from a script of responses (the last one repeats), or from a
function of the request (`answer`), and every request is recorded, so a test says what
the remote side does and checks what the job sent. Servers listen on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes | str | dict | list = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a slow page)

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if isinstance(self.body, (dict, list)):
            headers.setdefault("Content-Type", "application/json")
            return json.dumps(self.body).encode(), headers
        return (self.body.encode() if isinstance(self.body, str) else self.body), headers


def html(body: str, status: int = 200, delay: float = 0.0) -> Reply:
    return Reply(status, body, {"Content-Type": "text/html; charset=utf-8"}, delay)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class LocalHttp:
    def __init__(self) -> None:
        self._scripts: dict[tuple[str, str], list[Reply]] = {}
        self._answers: dict[tuple[str, str], Callable[[Request], Reply]] = {}
        self._lock = threading.Lock()
        self.requests: list[Request] = []
        self._in_flight = 0
        self.peak_in_flight = 0  # the most requests being answered at one moment
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def on(self, method: str, path: str, *replies: Reply) -> None:
        """Answer `method path` with these replies in turn; the last one repeats."""
        with self._lock:
            self._scripts[(method, path)] = list(replies)

    def answer(self, method: str, path: str, reply: Callable[[Request], Reply]) -> None:
        """Answer `method path` with what `reply` makes of each request (called one request at a time)."""
        with self._lock:
            self._answers[(method, path)] = reply

    def hits(self, method: str, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.method == method and r.path == path]

    def _begin(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)

    def _end(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            answer = self._answers.get((request.method, request.path))
            if answer is not None:
                return answer(request)
            script = self._scripts.get((request.method, request.path))
            if not script:
                return Reply(404, "no such page")
            return script.pop(0) if len(script) > 1 else script[0]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.command, self.path, dict(self.headers), self.rfile.read(length))
                server._begin()
                try:
                    reply = server._reply(request)
                    if reply.delay:
                        time.sleep(reply.delay)
                    body, headers = reply.encoded()
                    self.send_response(reply.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                finally:
                    server._end()

            do_GET = do_POST = _serve  # noqa: N815 - http.server's names

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler

    def start(self) -> LocalHttp:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def local_http() -> Iterator[LocalHttp]:
    server = LocalHttp().start()
    try:
        yield server
    finally:
        server.stop()
