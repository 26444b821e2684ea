"""The GraphQL mutations' inputs, checked field by field (a wrong one is answered
VALIDATION_ERROR naming it). An ISRC is not checked here: a track with a missing or
malformed one is still added to the library; only its ingestion is skipped."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from conveyor.core.ids import Identifier
from conveyor.core.models import ApiModel
from library_ingestion.models import Text


class AddTrack(ApiModel):
    isrc: Annotated[str | None, Field(max_length=64)] = None
    title: Text
    artist: Text
    album: Text | None = None
    catalog_track_id: Identifier | None = None


class AddAlbum(ApiModel):
    album_id: Identifier = Field(description="the catalog's album id: its track listing comes from the catalog")
    title: Text
    artist: Text
    release_year: Annotated[int | None, Field(ge=1000, le=9999)] = None
