"""The catalog and lyrics over HTTP, by base URL (`CATALOG_URL`, `LYRICS_URL`).

    GET {catalog}/albums/{albumId}/tracks   -> {"tracks": [{"trackId", "title", "artist", "position"}]}; 404: no album
    GET {catalog}/tracks?ids=a,b,...        -> {"tracks": [{"trackId", "isrc"}]}   (at most 20 ids)
    GET {catalog}/tracks/isrc/{ISRC}        -> {"track": {"trackId", "isrc", "title", "artist", ...}}; 404: unknown
    GET {lyrics}/lyrics/{ISRC}              -> {"lyrics": "..." | null}; 404: none

Statuses become the core errors: 429, 5xx, 408 and network failures are TransientError
(asking again may help), any other 4xx PermanentError; a body that is not the JSON above
is PermanentError too (the provider speaks another API).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Sequence
from typing import Any

import urllib3
from pydantic import ValidationError

from conveyor.core.errors import PermanentError, TransientError
from library_ingestion.providers.catalog import AlbumNotInCatalog, CatalogTrack, ListedTrack, check_chunk

USER_AGENT = "Conveyor library ingestion/0.1"
MAX_BODY_BYTES = 2 * 1024 * 1024


class JsonOverHttp:
    """GET JSON from one base URL; None for a 404, the core errors for the rest."""

    def __init__(self, base_url: str, timeout_seconds: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._pool = urllib3.PoolManager(
            timeout=urllib3.Timeout(total=timeout_seconds), retries=False, headers={"User-Agent": USER_AGENT}
        )

    def get(self, path: str, query: dict[str, str] | None = None) -> Any | None:
        url = self.base_url + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        try:
            response = self._pool.request("GET", url, preload_content=False)
            body = response.read(MAX_BODY_BYTES, decode_content=True)
            response.release_conn()
        except urllib3.exceptions.HTTPError as error:
            raise TransientError(f"GET {url}: {type(error).__name__}: {error}") from error
        status = response.status
        if status == 404:
            return None
        if status == 429 or status == 408 or status >= 500:
            raise TransientError(f"GET {url}: HTTP {status}")
        if not 200 <= status < 300:
            raise PermanentError(f"GET {url}: HTTP {status}: {body[:200].decode(errors='replace')}")
        try:
            return json.loads(body)
        except ValueError as error:
            raise PermanentError(f"GET {url}: the answer is not JSON") from error


class HttpCatalog:
    def __init__(self, base_url: str, timeout_seconds: float = 5) -> None:
        self._http = JsonOverHttp(base_url, timeout_seconds)
        self.name = urllib.parse.urlsplit(base_url).netloc or base_url

    def album_tracks(self, album_id: str) -> list[ListedTrack]:
        body = self._http.get(f"/albums/{_segment(album_id)}/tracks")
        if body is None:
            raise AlbumNotInCatalog(album_id)
        return _parsed(lambda: [ListedTrack.model_validate(track) for track in body["tracks"]], "album listing")

    def track_isrcs(self, track_ids: Sequence[str]) -> dict[str, str | None]:
        check_chunk(track_ids)
        if not track_ids:
            return {}
        body = self._http.get("/tracks", {"ids": ",".join(track_ids)}) or {"tracks": []}
        return _parsed(lambda: {str(track["trackId"]): track.get("isrc") for track in body["tracks"]}, "track batch")

    def track_by_isrc(self, isrc: str) -> CatalogTrack | None:
        body = self._http.get(f"/tracks/isrc/{_segment(isrc)}")
        return None if body is None else _parsed(lambda: CatalogTrack.model_validate(body["track"]), "track")


class HttpLyrics:
    def __init__(self, base_url: str, timeout_seconds: float = 5) -> None:
        self._http = JsonOverHttp(base_url, timeout_seconds)

    def lyrics(self, isrc: str) -> str | None:
        body = self._http.get(f"/lyrics/{_segment(isrc)}")
        if body is None:
            return None
        lyrics = _parsed(lambda: body["lyrics"], "lyrics")
        if lyrics is not None and not isinstance(lyrics, str):
            raise PermanentError("the lyrics provider answered lyrics that are not text")
        return lyrics or None


def _segment(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _parsed(read: Any, what: str) -> Any:
    try:
        return read()
    except (KeyError, TypeError, ValidationError) as error:
        raise PermanentError(f"the provider's {what} is not in the expected shape: {error}") from error
