"""The steps of a `track-ingestion` run: FetchMetadata -> FetchLyrics -> Embed -> UpsertToIndex.

Each is a durable step (`conveyor.durable.steps`): memoized per run, so a retry of a later
step never fetches or embeds again. Errors are the core's: a provider's TransientError is
retried by the state machine, a PermanentError fails the run with its reason. A track the
catalog does not know keeps the metadata it was requested with; a track without lyrics is
embedded from its metadata alone: neither is a failure.
"""

from __future__ import annotations

from typing import Any

from conveyor.core.clock import Clock, now_iso, system_clock
from conveyor.core.errors import PermanentError
from conveyor.core.models import ApiModel
from conveyor.durable.steps import StepRun
from library_ingestion.index import IndexedTrack, TrackIndex
from library_ingestion.models import TrackIngestionRequested
from library_ingestion.providers.catalog import CatalogProvider
from library_ingestion.providers.embeddings import EmbeddingProvider
from library_ingestion.providers.lyrics import LyricsProvider

# Enough for any song; keeps a run's state well under Step Functions' 256 KiB.
MAX_LYRICS_CHARS = 20_000


class TrackMetadata(ApiModel):
    isrc: str
    title: str
    artist: str
    album: str | None = None
    album_id: str | None = None
    genre: str | None = None
    release_date: str | None = None
    duration_seconds: int | None = None
    source: str  # "catalog": found there; "request": the catalog does not know it


class TrackIngestionSteps:
    def __init__(
        self,
        catalog: CatalogProvider,
        lyrics: LyricsProvider,
        embeddings: EmbeddingProvider,
        index: TrackIndex,
        clock: Clock = system_clock,
    ) -> None:
        self._catalog = catalog
        self._lyrics = lyrics
        self._embeddings = embeddings
        self._index = index
        self._clock = clock

    def fetch_metadata(self, step: StepRun) -> dict[str, Any]:
        request = requested(step)
        found = self._catalog.track_by_isrc(request.isrc)
        if found is None:
            metadata = TrackMetadata(**request.model_dump(exclude={"provider"}), source="request")
        else:
            metadata = TrackMetadata(
                **found.model_dump(exclude={"track_id", "position", "isrc"}), isrc=request.isrc, source="catalog"
            )
        return metadata.model_dump(mode="json")

    def fetch_lyrics(self, step: StepRun) -> dict[str, Any]:
        lyrics = self._lyrics.lyrics(requested(step).isrc)
        return {"found": bool(lyrics), "lyrics": lyrics[:MAX_LYRICS_CHARS] if lyrics else None}

    def embed(self, step: StepRun) -> dict[str, Any]:
        metadata = TrackMetadata.model_validate(step.previous["fetchMetadata"])
        lyrics = step.previous["fetchLyrics"]["lyrics"]
        text = "\n".join(part for part in (metadata.title, metadata.artist, metadata.album, lyrics) if part)
        [vector] = self._embeddings.embed([text])
        if len(vector) != self._embeddings.dimensions:
            raise PermanentError(
                f"{self._embeddings.name} gave {len(vector)} dimensions, not {self._embeddings.dimensions}"
            )
        return {"embedding": self._embeddings.name, "vector": [round(value, 7) for value in vector], "chars": len(text)}

    def upsert_to_index(self, step: StepRun) -> dict[str, Any]:
        metadata = TrackMetadata.model_validate(step.previous["fetchMetadata"])
        lyrics = step.previous["fetchLyrics"]["lyrics"]
        embedded = step.previous["embed"]
        track = IndexedTrack(
            **metadata.model_dump(exclude={"source"}),
            has_lyrics=lyrics is not None,
            lyrics=lyrics,
            embedding=embedded["embedding"],
            indexed_at=now_iso(self._clock),
        )
        point_id = self._index.upsert(track, embedded["vector"])
        return {"pointId": point_id, "collection": self._index.collection, "indexedAt": track.indexed_at}


def requested(step: StepRun) -> TrackIngestionRequested:
    """The run's request (its task without the task id): a malformed one fails the step permanently."""
    return TrackIngestionRequested.model_validate({k: v for k, v in step.task.items() if k != "taskId"})
