"""Run MiniStack in this process, on loopback, with the compatibility fixes applied.

The same server also answers on the API port (3000 by default) with the stack's REST
API, served as a custom domain would serve it (`localcloud.api_route`).
On the Qdrant port (6333) it serves the Qdrant-compatible endpoint (`localcloud.qdrant`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from collections.abc import Callable
from typing import Any

from localcloud.api_route import ApiTarget, LocalApiRoute, serve_as_custom_domain
from localcloud.ministack_env import ministack_environment
from localcloud.settings import Settings
from localcloud.state_saver import StateSaver

log = logging.getLogger("localcloud")

Asgi = Callable[..., Any]


def route_by_port(apps: dict[int, Asgi], default: Asgi) -> Asgi:
    """ASGI: a request goes to the app of the port it arrived on, any other to `default`."""

    async def route(scope: dict, receive: Any, send: Any) -> None:
        port = (scope.get("server") or (None, None))[1]
        await apps.get(port, default)(scope, receive, send)

    return route


def configure_logging(settings: Settings, to_terminal: bool) -> None:
    """MiniStack logs every request; they go to a file unless asked for."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    handler: logging.Handler = (
        logging.StreamHandler() if to_terminal else logging.FileHandler(settings.log_file, mode="a")
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(name)s] %(message)s", "%H:%M:%S"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)


def serve(
    settings: Settings,
    on_ready: Callable[[], None],
    resolve_api: Callable[[], ApiTarget | None],
) -> None:
    """Serve until SIGINT, SIGTERM or SIGHUP; `on_ready` runs in a thread once the port answers.
    With `settings.persist`, the state is saved as it changes (`localcloud.state_saver`)."""
    os.environ.update(ministack_environment(settings))
    # MiniStack reads its environment at import time: import it only now.
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config
    from ministack.app import app as ministack_app
    from ministack.core import lambda_runtime

    from localcloud import compat
    from localcloud.qdrant import QdrantApp, VectorStore

    compat.apply_all()
    serve_as_custom_domain()
    saver = StateSaver(str(settings.state_dir / "state"), settings.save_interval) if settings.persist else None
    if saver is not None:
        saver.install()
    qdrant = QdrantApp(VectorStore(settings.qdrant_dir))

    config = Config()
    config.bind = [f"{settings.host}:{port}" for port in (settings.port, settings.api_port, settings.qdrant_port)]
    config.keep_alive_timeout = 75
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    app = route_by_port(
        {settings.qdrant_port: qdrant}, default=LocalApiRoute(ministack_app, settings.api_port, resolve_api)
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # A closed terminal (SIGHUP) stops the cloud as Ctrl-C does, saving its state.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(signum, stop.set)

        async def shutdown() -> None:
            await stop.wait()
            if saver is not None:  # before MiniStack's own final save, which writes the same files
                await asyncio.to_thread(saver.stop)

        server = asyncio.create_task(hypercorn_serve(app, config, shutdown_trigger=shutdown))
        await _wait_for_port(settings.host, settings.port, server)
        if saver is not None:
            saver.start()
        threading.Thread(target=on_ready, name="localcloud-ready", daemon=True).start()
        await server

    try:
        asyncio.run(main())
    finally:
        # A worker busy in a handler would otherwise outlive the cloud, retrying
        # calls to an endpoint that is gone.
        lambda_runtime.reset()
        qdrant.close()


async def _wait_for_port(host: str, port: int, server: asyncio.Task) -> None:
    while not server.done():
        try:
            _, writer = await asyncio.open_connection(host, port)
        except OSError:
            await asyncio.sleep(0.02)
            continue
        writer.close()
        return
    server.result()  # the server stopped before listening: raise its error
