"""Libraries in DynamoDB (`LibraryTable`, stacks/library-ingestion.yaml), one per organization.

    organization  sk                what
    org-1         ALBUM#alb-1       an album: title, artist, its track listing (ISRCs included), the
                                    set of its valid ISRCs, the listing error, each track's scheduling
    org-1         TRACK#USRC...     a track added on its own, keyed by its ISRC (by `id-<catalog id>`
                                    or `t-<digest>` when it has no valid one)

Adding something again updates it and keeps when and by whom it was first added. Pages of a
library follow the sort key (albums, then tracks) with `nextToken`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from conveyor.core.clock import Clock, now_iso, system_clock
from conveyor.core.dynamo import Update, plain, to_dynamo
from conveyor.core.pagination import PageTokens
from library_ingestion.models import LibraryAlbum, LibraryTrack, Scheduling

ALBUM = "ALBUM#"
TRACK = "TRACK#"
PAGE_TOKENS = PageTokens("organization", "sk")


class LibraryStore:
    def __init__(self, table: Any, clock: Clock = system_clock) -> None:
        self._table = table
        self._clock = clock

    # -- writing --------------------------------------------------------------------------

    def put_track(self, organization: str, track: LibraryTrack, added_by: str) -> LibraryTrack:
        values = track.model_dump(mode="json", exclude={"added_at", "added_by", "scheduling"}, exclude_none=True)
        update = self._added(to_dynamo(values), added_by, remove=("scheduling",))
        return LibraryTrack.model_validate(self._update(organization, TRACK + track.track_key, update))

    def put_album(self, organization: str, album: LibraryAlbum, added_by: str) -> LibraryAlbum:
        """The album with its listing; the scheduling of an earlier addition is dropped with its listing."""
        values = to_dynamo(album.model_dump(mode="json", exclude={"added_at", "added_by"}, exclude_none=True))
        isrcs = {track.isrc for track in album.tracks if track.isrc}
        if isrcs:  # a string set, for finding an album by one of its ISRCs (sets cannot be empty)
            values["isrcs"] = isrcs
        absent = ("isrcs", "trackListingError")
        update = self._added(values, added_by, remove=("trackScheduling", *(a for a in absent if a not in values)))
        return _album(self._update(organization, ALBUM + album.album_id, update))

    def record_track_scheduling(self, organization: str, track_key: str, scheduling: Scheduling) -> None:
        update = Update(set={"scheduling": to_dynamo(scheduling.model_dump(mode="json", exclude_none=True))})
        self._table.update_item(Key=_key(organization, TRACK + track_key), **update.request())

    def record_album_scheduling(self, organization: str, album_id: str, schedulings: Sequence[Scheduling]) -> None:
        """Each track's scheduling, in listing order (kept beside the listing, one write)."""
        outcomes = [scheduling.model_dump(mode="json", exclude_none=True) for scheduling in schedulings]
        update = Update(set={"trackScheduling": to_dynamo(outcomes)})
        self._table.update_item(Key=_key(organization, ALBUM + album_id), **update.request())

    def _added(self, values: dict[str, Any], added_by: str, remove: tuple[str, ...]) -> Update:
        return Update(set=values, set_if_absent={"addedAt": now_iso(self._clock), "addedBy": added_by}, remove=remove)

    def _update(self, organization: str, sk: str, update: Update) -> dict[str, Any]:
        response = self._table.update_item(Key=_key(organization, sk), **update.request(), ReturnValues="ALL_NEW")
        return plain(response["Attributes"])

    # -- reading --------------------------------------------------------------------------

    def get_track(self, organization: str, track_key: str) -> LibraryTrack | None:
        item = self._table.get_item(Key=_key(organization, TRACK + track_key)).get("Item")
        return LibraryTrack.model_validate(plain(item)) if item else None

    def find_album_track(self, organization: str, isrc: str) -> LibraryTrack | None:
        """The track with this ISRC on one of the organization's albums (the first album in key order)."""
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("organization").eq(organization) & Key("sk").begins_with(ALBUM),
            "FilterExpression": Attr("isrcs").contains(isrc),
        }
        while True:
            page = self._table.query(**query)
            for item in page["Items"]:
                album = _album(plain(item))
                return next(track for track in album.tracks if track.isrc == isrc)
            if "LastEvaluatedKey" not in page:
                return None
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def page(
        self, organization: str, limit: int, next_token: str | None
    ) -> tuple[list[LibraryAlbum], list[LibraryTrack], str | None]:
        query: dict[str, Any] = {"KeyConditionExpression": Key("organization").eq(organization), "Limit": limit}
        start = PAGE_TOKENS.decode(next_token, fixed={"organization": organization})
        if start:
            query["ExclusiveStartKey"] = start
        response = self._table.query(**query)
        items = [plain(item) for item in response["Items"]]
        albums = [_album(item) for item in items if item["sk"].startswith(ALBUM)]
        tracks = [LibraryTrack.model_validate(item) for item in items if item["sk"].startswith(TRACK)]
        return albums, tracks, PAGE_TOKENS.encode(response.get("LastEvaluatedKey"))


def _key(organization: str, sk: str) -> dict[str, str]:
    return {"organization": organization, "sk": sk}


def _album(item: dict[str, Any]) -> LibraryAlbum:
    """An album item with each track's scheduling put back on the track."""
    album = LibraryAlbum.model_validate(item)
    for track, scheduling in zip(album.tracks, item.get("trackScheduling", []), strict=False):
        track.scheduling = Scheduling.model_validate(scheduling)
    return album
