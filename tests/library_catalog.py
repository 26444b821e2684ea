"""A music catalog for the library-ingestion tests: the HTTP API `HttpCatalog` and `HttpLyrics`
speak (layers/library_ingestion/library_ingestion/providers/http.py), served on 127.0.0.1 from a
`FixtureCatalog`, recording every request and answering failures on demand.

    with CatalogServer(FixtureCatalog.from_file()) as catalog:
        catalog.add_album(*album("rooms", 45))
        catalog.fail("/tracks/isrc/ZZTST0000001", 503, 503)           # twice, then as usual
        catalog.fail("/tracks/isrc/ZZTST0000002", 403, forever=True)  # always
"""

from __future__ import annotations

import json
import threading
import urllib.parse
import uuid
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from library_ingestion.providers.catalog import AlbumNotInCatalog
from library_ingestion.providers.fixture import FixtureCatalog


def album(
    name: str,
    size: int,
    *,
    missing_isrc: Sequence[int] = (),
    lyrics: dict[int, str | None] | None = None,
    isrcs: dict[int, str] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A new album of `size` tracks with ISRCs no other test uses (`ZZ` + 10 random characters);
    positions in `missing_isrc` have none, `isrcs` sets some, `lyrics` sets some lyrics."""
    album_id = f"alb-{name}-{uuid.uuid4().hex[:8]}"
    tracks = []
    for position in range(1, size + 1):
        isrc = None if position in missing_isrc else (isrcs or {}).get(position, unique_isrc())
        words = (lyrics or {}).get(position, f"verse {position} of {name}, a song about counting")
        tracks.append(
            {
                "trackId": f"{album_id}-{position:03d}",
                "isrc": isrc,
                "title": f"{name.title()} {position}",
                "artist": "Test Ensemble",
                "albumId": album_id,
                "album": name.title(),
                "position": position,
                "lyrics": words,
            }
        )
    return {
        "albumId": album_id,
        "title": name.title(),
        "artist": "Test Ensemble",
        "trackIds": [t["trackId"] for t in tracks],
    }, tracks


def unique_isrc() -> str:
    return "ZZ" + uuid.uuid4().hex[:10].upper()


class CatalogServer:
    def __init__(self, catalog: FixtureCatalog | None = None) -> None:
        self.catalog = catalog or FixtureCatalog({})
        self.requests: list[str] = []
        self._failures: dict[str, list[int]] = {}
        self._forever: dict[str, bool] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add_album(self, album: dict[str, Any], tracks: list[dict[str, Any]]) -> None:
        self.catalog.add([album], tracks)

    def fail(self, path: str, *statuses: int, forever: bool = False) -> None:
        """Answer the next requests of `path` with these statuses, one each, then as usual; with
        `forever`, the last status stays."""
        with self._lock:
            self._failures[path] = list(statuses)
            self._forever[path] = forever

    def hits(self, prefix: str) -> list[str]:
        with self._lock:
            return [path for path in self.requests if path.startswith(prefix)]

    def start(self) -> CatalogServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> CatalogServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def answer(self, target: str) -> tuple[int, Any]:
        parsed = urllib.parse.urlsplit(target)
        path = urllib.parse.unquote(parsed.path)
        with self._lock:
            self.requests.append(target)
            failures = self._failures.get(path)
            if failures:
                status = failures[0] if len(failures) == 1 and self._forever[path] else failures.pop(0)
                return status, {"message": "failing as the test asked"}
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "albums" and parts[2] == "tracks":
            try:
                listed = self.catalog.album_tracks(parts[1])
            except AlbumNotInCatalog:
                return 404, {"message": "no such album"}
            return 200, {"tracks": [track.model_dump(mode="json") for track in listed]}
        if parts == ["tracks"]:
            ids = [i for i in urllib.parse.parse_qs(parsed.query).get("ids", [""])[0].split(",") if i]
            if len(ids) > 20:
                return 400, {"message": "at most 20 ids"}
            found = self.catalog.track_isrcs(ids)
            return 200, {"tracks": [{"trackId": track_id, "isrc": isrc} for track_id, isrc in found.items()]}
        if len(parts) == 3 and parts[:2] == ["tracks", "isrc"]:
            track = self.catalog.track_by_isrc(parts[2])
            return (
                (404, {"message": "unknown ISRC"}) if track is None else (200, {"track": track.model_dump(mode="json")})
            )
        if len(parts) == 2 and parts[0] == "lyrics":
            lyrics = self.catalog.lyrics(parts[1])
            return (404, {"message": "no lyrics"}) if lyrics is None else (200, {"lyrics": lyrics})
        return 404, {"message": "no such route"}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                status, body = server.answer(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler
