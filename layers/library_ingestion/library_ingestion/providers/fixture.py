"""The fixture catalog: albums with track listings, ISRCs, metadata and lyrics from a JSON
file shipped with the package (`fixtures/catalog.json`), for the local cloud and the tests.

It holds, on purpose: an album of 12 tracks one of which has no ISRC (`alb-harbour-lights`),
an album whose tracks have a hyphenated, a lower-case and a too-short ISRC
(`alb-static-bloom`), albums of 45 and 100 tracks (`alb-forty-five-rooms`, `alb-century`),
and instrumentals without lyrics.

    {"albums": [{"albumId", "title", "artist", "releaseYear", "trackIds": [...]}],
     "tracks": [{"trackId", "isrc" (null: none), "title", "artist", "albumId", "album", "position",
                 "durationSeconds", "releaseDate", "genre", "lyrics" (null: instrumental)}]}
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from library_ingestion.isrc import InvalidIsrc, normalize_isrc
from library_ingestion.providers.catalog import AlbumNotInCatalog, CatalogTrack, ListedTrack, check_chunk

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "catalog.json"


class FixtureCatalog:
    """A catalog and a lyrics provider over fixture data; `add` puts more in (test catalogs)."""

    name = "fixture"

    def __init__(self, data: dict[str, Any]) -> None:
        self._albums: dict[str, dict[str, Any]] = {}
        self._tracks: dict[str, dict[str, Any]] = {}
        self._by_isrc: dict[str, dict[str, Any]] = {}
        self.add(data.get("albums", []), data.get("tracks", []))

    @classmethod
    def from_file(cls, path: Path = FIXTURE) -> FixtureCatalog:
        return cls(json.loads(path.read_text()))

    def add(self, albums: Sequence[dict[str, Any]], tracks: Sequence[dict[str, Any]]) -> None:
        self._albums.update({album["albumId"]: album for album in albums})
        for track in tracks:
            self._tracks[track["trackId"]] = track
            with contextlib.suppress(InvalidIsrc):  # else: listed on its album, never found by ISRC
                self._by_isrc[normalize_isrc(track.get("isrc"))] = track

    def album(self, album_id: str) -> dict[str, Any] | None:
        return self._albums.get(album_id)

    def album_tracks(self, album_id: str) -> list[ListedTrack]:
        album = self._albums.get(album_id)
        if album is None:
            raise AlbumNotInCatalog(album_id)
        listed = [self._tracks[track_id] for track_id in album["trackIds"]]
        return [ListedTrack.model_validate(track) for track in listed]

    def track_isrcs(self, track_ids: Sequence[str]) -> dict[str, str | None]:
        check_chunk(track_ids)
        return {track_id: self._tracks[track_id].get("isrc") for track_id in track_ids if track_id in self._tracks}

    def track_by_isrc(self, isrc: str) -> CatalogTrack | None:
        track = self._by_isrc.get(isrc)
        return None if track is None else CatalogTrack.model_validate({**track, "isrc": isrc})

    def lyrics(self, isrc: str) -> str | None:
        track = self._by_isrc.get(isrc)
        return None if track is None else track.get("lyrics")
