"""The library's business rules: add a track or an album, then schedule their ingestion.

The library write comes first and answers: adding fails only when the library itself
cannot be written. Then scheduling (fire-and-forget: `library_ingestion.scheduling`) and,
best effort, each track's scheduling outcome recorded on the entry. An album's track
listing and ISRCs come from the catalog (ISRCs in chunks of 20); when the catalog cannot
give them the album is saved without tracks, with the reason, and `album_track_listing_error`
is logged.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from aws_lambda_powertools import Logger

from conveyor.core.auth import Caller
from conveyor.core.errors import error_details
from library_ingestion.inputs import AddAlbum, AddTrack
from library_ingestion.isrc import InvalidIsrc, normalize_isrc
from library_ingestion.library import LibraryStore
from library_ingestion.models import LibraryAlbum, LibraryTrack
from library_ingestion.providers.catalog import CatalogProvider, ListedTrack, fetch_isrcs
from library_ingestion.scheduling import IngestionScheduler
from library_ingestion.scheduling_log import SchedulingLog

logger = Logger(child=True)


class LibraryService:
    def __init__(
        self,
        store: LibraryStore,
        catalog: CatalogProvider,
        scheduler: IngestionScheduler,
        log: SchedulingLog | None = None,
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._scheduler = scheduler
        self._log = log or SchedulingLog()

    def add_track(self, caller: Caller, request: AddTrack) -> LibraryTrack:
        organization = caller.acting_organization()
        track = LibraryTrack(
            track_key=track_key(request.isrc, request.catalog_track_id, request.title, request.artist),
            isrc=_normalized_or_none(request.isrc),
            given_isrc=request.isrc,
            title=request.title,
            artist=request.artist,
            album=request.album,
            catalog_track_id=request.catalog_track_id,
        )
        saved = self._store.put_track(organization, track, caller.subject)
        saved.scheduling = self._scheduler.schedule_track(saved.to_schedule())
        self._record(lambda: self._store.record_track_scheduling(organization, saved.track_key, saved.scheduling))
        return saved

    def add_album(self, caller: Caller, request: AddAlbum) -> LibraryAlbum:
        organization = caller.acting_organization()
        tracks, listing_error = self._listing(request.album_id, request.title, request.artist)
        album = LibraryAlbum(
            album_id=request.album_id,
            title=request.title,
            artist=request.artist,
            release_year=request.release_year,
            tracks=tracks,
            track_listing_error=listing_error,
        )
        saved = self._store.put_album(organization, album, caller.subject)
        if saved.tracks:
            outcomes = self._scheduler.schedule_album_tracks([track.to_schedule() for track in saved.tracks])
            for track, outcome in zip(saved.tracks, outcomes, strict=True):
                track.scheduling = outcome
            self._record(lambda: self._store.record_album_scheduling(organization, saved.album_id, outcomes))
        return saved

    def _listing(self, album_id: str, album: str, artist: str) -> tuple[list[LibraryTrack], str | None]:
        """The album's tracks with their ISRCs, or none and why."""
        started = time.perf_counter()
        try:
            listed = self._catalog.album_tracks(album_id)
            isrcs = fetch_isrcs(self._catalog, [track.track_id for track in listed])
        except Exception as error:
            reason = f"album {album_id}: {error_details(error)['message']}"
            self._log.track_listing_unavailable(reason, round((time.perf_counter() - started) * 1000))
            return [], reason
        return [_album_track(track, isrcs.get(track.track_id), album_id, album, artist) for track in listed], None

    @staticmethod
    def _record(write: Callable[[], None]) -> None:
        """Keep a scheduling outcome on the library entry; the log has it if this write fails."""
        try:
            write()
        except Exception as error:
            logger.warning("scheduling outcome not recorded", extra={"error": error_details(error)})


def track_key(isrc: str | None, catalog_track_id: str | None, title: str, artist: str) -> str:
    """A library track's key: its ISRC when valid, else its catalog id, else a digest of what it is."""
    normalized = _normalized_or_none(isrc)
    if normalized:
        return normalized
    if catalog_track_id:
        return f"id-{catalog_track_id}"
    digest = hashlib.sha256("\x1f".join((isrc or "", title, artist)).encode()).hexdigest()[:16]
    return f"t-{digest}"


def _normalized_or_none(isrc: str | None) -> str | None:
    try:
        return normalize_isrc(isrc)
    except InvalidIsrc:
        return None


def _album_track(listed: ListedTrack, isrc: str | None, album_id: str, album: str, artist: str) -> LibraryTrack:
    return LibraryTrack(
        track_key=track_key(isrc, listed.track_id, listed.title, listed.artist or artist),
        isrc=_normalized_or_none(isrc),
        given_isrc=isrc,
        title=listed.title,
        artist=listed.artist or artist,
        album=album,
        album_id=album_id,
        catalog_track_id=listed.track_id,
        position=listed.position,
    )
