"""The music catalog (the seed's Tidal service): album track listings, the ISRCs of tracks,
and a track's metadata by ISRC.

A catalog answers ISRCs for at most `TRACKS_PER_REQUEST` tracks per request (Tidal's batch
limit); `fetch_isrcs` asks in chunks of that size, so a 45-track album costs three requests.
A catalog raises the core errors: TransientError when asking again may help (timeouts, 5xx,
429), PermanentError when it cannot (a refused request); `AlbumNotInCatalog` for an unknown album.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from conveyor.core.errors import PermanentError
from conveyor.core.models import ApiModel

TRACKS_PER_REQUEST = 20


class AlbumNotInCatalog(PermanentError):
    def __init__(self, album_id: str) -> None:
        super().__init__(f"the catalog has no album {album_id!r}")


class ListedTrack(ApiModel):
    """A track of an album's listing, as the catalog lists it (no ISRC: those come by batch)."""

    track_id: str
    title: str
    artist: str | None = None
    position: int


class CatalogTrack(ApiModel):
    """A track's metadata, found by its ISRC."""

    track_id: str
    isrc: str
    title: str
    artist: str
    album: str | None = None
    album_id: str | None = None
    position: int | None = None
    duration_seconds: int | None = None
    release_date: str | None = None
    genre: str | None = None


class CatalogProvider(Protocol):
    """A catalog, by name (`fixture`, or the host of an HTTP catalog): the flow throttles runs per name."""

    @property
    def name(self) -> str: ...

    def album_tracks(self, album_id: str) -> list[ListedTrack]:
        """The album's listing in order; AlbumNotInCatalog when it has none."""
        ...

    def track_isrcs(self, track_ids: Sequence[str]) -> dict[str, str | None]:
        """The ISRC of each of at most TRACKS_PER_REQUEST tracks, as the catalog holds it (unvalidated;
        None when it has none). Tracks it does not know are absent."""
        ...

    def track_by_isrc(self, isrc: str) -> CatalogTrack | None:
        """The track with this (normalized) ISRC; None when the catalog does not know it."""
        ...


def fetch_isrcs(catalog: CatalogProvider, track_ids: Sequence[str]) -> dict[str, str | None]:
    """The ISRCs of any number of tracks, asked in chunks of at most TRACKS_PER_REQUEST."""
    found: dict[str, str | None] = {}
    for start in range(0, len(track_ids), TRACKS_PER_REQUEST):
        found.update(catalog.track_isrcs(track_ids[start : start + TRACKS_PER_REQUEST]))
    return found


def check_chunk(track_ids: Sequence[str]) -> None:
    """What a catalog implementation says when asked for more than a request can carry."""
    if len(track_ids) > TRACKS_PER_REQUEST:
        raise ValueError(f"at most {TRACKS_PER_REQUEST} tracks per request, not {len(track_ids)}")
