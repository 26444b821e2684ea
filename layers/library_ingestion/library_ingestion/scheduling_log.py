"""The structured log lines of ingestion scheduling: the seed's fields and events, exactly.

    fields  event, isrc, trackTitle, result, reason, error, duration_ms,
            total_tracks, scheduled_count, skipped_count
    events  ingestion_scheduled, ingestion_skipped (already_indexed, missing_isrc, invalid_isrc),
            ingestion_error, album_ingestion_batch, album_track_listing_error, qdrant_error,
            validation_error

Each line is written by Powertools' Logger (JSON, with its own keys: level, message,
timestamp, service, ...); the message is the event's name and the seed's fields sit at the
top level beside them. A field that does not apply is left out, as the seed's optional ones.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from library_ingestion.models import SchedulingResult, SkipReason

FIELDS = frozenset(
    {
        "event",
        "isrc",
        "trackTitle",
        "result",
        "reason",
        "error",
        "duration_ms",
        "total_tracks",
        "scheduled_count",
        "skipped_count",
    }
)
EVENTS = frozenset(
    {
        "ingestion_scheduled",
        "ingestion_skipped",
        "ingestion_error",
        "album_ingestion_batch",
        "album_track_listing_error",
        "qdrant_error",
        "validation_error",
    }
)


class SchedulingLog:
    def __init__(self, logger: Logger | None = None) -> None:
        self._logger = logger or Logger(child=True)

    def scheduled(self, isrc: str, title: str, duration_ms: int) -> None:
        self._write(
            "info",
            "ingestion_scheduled",
            SchedulingResult.SUCCESS,
            isrc=isrc,
            trackTitle=title,
            duration_ms=duration_ms,
        )

    def skipped(self, isrc: str | None, title: str, reason: SkipReason) -> None:
        # A track that cannot be ingested is worth a warning; one already indexed is not.
        level = "info" if reason is SkipReason.ALREADY_INDEXED else "warning"
        self._write(
            level, "ingestion_skipped", SchedulingResult.SKIPPED, isrc=isrc, trackTitle=title, reason=reason.value
        )

    def failed(self, isrc: str, title: str, error: str, duration_ms: int | None = None) -> None:
        self._write(
            "error",
            "ingestion_error",
            SchedulingResult.ERROR,
            isrc=isrc,
            trackTitle=title,
            error=error,
            duration_ms=duration_ms,
        )

    def invalid_request(self, isrc: str | None, title: str, error: str) -> None:
        self._write("warning", "validation_error", SchedulingResult.ERROR, isrc=isrc, trackTitle=title, error=error)

    def index_unavailable(self, error: str, duration_ms: int) -> None:
        self._write("warning", "qdrant_error", SchedulingResult.ERROR, error=error, duration_ms=duration_ms)

    def album_batch(self, total: int, scheduled: int, skipped: int, duration_ms: int) -> None:
        # Some tracks could be neither: their scheduling failed (the batch result is then an error).
        result = SchedulingResult.SUCCESS if scheduled + skipped == total else SchedulingResult.ERROR
        self._write(
            "info",
            "album_ingestion_batch",
            result,
            total_tracks=total,
            scheduled_count=scheduled,
            skipped_count=skipped,
            duration_ms=duration_ms,
        )

    def track_listing_unavailable(self, error: str, duration_ms: int) -> None:
        self._write("error", "album_track_listing_error", SchedulingResult.ERROR, error=error, duration_ms=duration_ms)

    def _write(self, level: str, event: str, result: SchedulingResult, **fields: Any) -> None:
        line = {"event": event, "result": result.value, **{k: v for k, v in fields.items() if v is not None}}
        getattr(self._logger, level)(event, extra=line, stacklevel=3)  # the location: who logged, not this
