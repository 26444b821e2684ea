"""What library ingestion keeps and sends: library entries, scheduling outcomes, and the
`track/ingestion.requested` message that asks for one track's ingestion."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from conveyor.core.ids import Identifier
from conveyor.core.models import ApiModel

FLOW = "track-ingestion"
REQUESTED = "track/ingestion.requested"
TASK_PREFIX = "isrc-"

Text = Annotated[str, Field(min_length=1, max_length=500)]
Isrc = Annotated[str, Field(pattern=r"^[A-Z0-9]{12}$")]


def task_id_for(isrc: str) -> str:
    """The durable task of an ISRC's ingestion: one per ISRC, whoever asked."""
    return TASK_PREFIX + isrc


class TrackIngestionRequested(BaseModel):
    """`track/ingestion.requested`: one track, by its normalized ISRC (the seed's event data)."""

    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=True, frozen=True)

    isrc: Isrc
    title: Text
    artist: Text
    album: Text | None = None
    album_id: Annotated[Identifier | None, Field(alias="albumId")] = None
    # The catalog the run reads: the flow's throttle key, so each provider has its own window.
    provider: Annotated[str, Field(min_length=1, max_length=200)]

    def to_task(self) -> dict[str, Any]:
        """The run's request, as the durable flow keeps it (it names the task)."""
        return {"taskId": task_id_for(self.isrc), **self.model_dump(by_alias=True, exclude_none=True)}


class SchedulingResult(StrEnum):
    """The `result` of a scheduling log line, and of a track's scheduling in the library."""

    SUCCESS = "success"
    SKIPPED = "skipped"
    ERROR = "error"


class SkipReason(StrEnum):
    ALREADY_INDEXED = "already_indexed"
    MISSING_ISRC = "missing_isrc"
    INVALID_ISRC = "invalid_isrc"


class Scheduling(ApiModel):
    """How scheduling a track's ingestion went, when the track was added."""

    result: SchedulingResult
    reason: str | None = None
    error: str | None = None
    at: str


class TrackToSchedule(ApiModel):
    """A track as added to a library, before its ISRC is checked."""

    isrc: str | None
    title: str
    artist: str
    album: str | None = None
    album_id: str | None = None


class LibraryTrack(ApiModel):
    """A track of a library: added on its own, or one of an album's."""

    track_key: str = Field(description="its key in the library: the ISRC when it has a valid one")
    isrc: str | None = Field(None, description="normalized (upper case); None when missing or invalid")
    given_isrc: str | None = Field(None, description="the ISRC as it was given or listed")
    title: str
    artist: str
    album: str | None = None
    album_id: str | None = None
    catalog_track_id: str | None = None
    position: int | None = None
    added_at: str | None = None
    added_by: str | None = None
    scheduling: Scheduling | None = None

    def to_schedule(self) -> TrackToSchedule:
        return TrackToSchedule(
            isrc=self.given_isrc, title=self.title, artist=self.artist, album=self.album, album_id=self.album_id
        )


class LibraryAlbum(ApiModel):
    album_id: str
    title: str
    artist: str
    release_year: int | None = None
    tracks: list[LibraryTrack] = []
    track_listing_error: str | None = Field(None, description="why the catalog gave no track listing")
    added_at: str | None = None
    added_by: str | None = None
