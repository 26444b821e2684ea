"""Scheduling ingestions when tracks enter a library (the seed's IngestionScheduler).

For the tracks of one addition (a track, or an album's listing):

1. each ISRC is validated and normalized before anything else reads it; a track without
   one is skipped (`missing_isrc`), one with a malformed one too (`invalid_isrc`);
2. the index is asked once, for all of them, which are there already; those are skipped
   (`already_indexed`). **Fail-open**: when the index cannot answer (`qdrant_error`), every
   track is scheduled — the flow's idempotency per ISRC keeps that from running twice;
3. each remaining track gets **its own** `track/ingestion.requested` message, never one for
   the album (`ingestion_scheduled`, or `ingestion_error` when the queue refused it).

**Fire-and-forget**: `schedule` never raises. The library write happened before it and
answers whatever scheduling does; every failure is a log line and the track's outcome.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from pydantic import ValidationError

from conveyor.core import validation
from conveyor.core.clock import Clock, now_iso, system_clock
from conveyor.core.errors import error_details
from library_ingestion.index import TrackIndex
from library_ingestion.ingestion_queue import IngestionQueue
from library_ingestion.isrc import InvalidIsrc, IsrcProblem, normalize_isrc
from library_ingestion.models import (
    Scheduling,
    SchedulingResult,
    SkipReason,
    TrackIngestionRequested,
    TrackToSchedule,
)
from library_ingestion.scheduling_log import SchedulingLog

_SKIP_FOR = {IsrcProblem.MISSING: SkipReason.MISSING_ISRC, IsrcProblem.INVALID: SkipReason.INVALID_ISRC}


class IngestionScheduler:
    def __init__(
        self,
        index: TrackIndex,
        queue: IngestionQueue,
        provider: str,
        log: SchedulingLog | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self._index = index
        self._queue = queue
        self._provider = provider
        self._log = log or SchedulingLog()
        self._clock = clock

    def schedule_track(self, track: TrackToSchedule) -> Scheduling:
        return self._schedule([track])[0]

    def schedule_album_tracks(self, tracks: Sequence[TrackToSchedule]) -> list[Scheduling]:
        """Every track of an album, with one `album_ingestion_batch` line for the whole."""
        started = time.perf_counter()
        outcomes = self._schedule(tracks)
        count = {result: sum(1 for o in outcomes if o.result is result) for result in SchedulingResult}
        self._log.album_batch(
            len(tracks), count[SchedulingResult.SUCCESS], count[SchedulingResult.SKIPPED], _ms_since(started)
        )
        return outcomes

    def _schedule(self, tracks: Sequence[TrackToSchedule]) -> list[Scheduling]:
        outcomes: list[Scheduling | None] = [None] * len(tracks)
        try:
            requests = self._requests(tracks, outcomes)
            indexed = self._indexed([request.isrc for _, request in requests])
            to_send = []
            for position, request in requests:
                if request.isrc in indexed:
                    self._log.skipped(request.isrc, request.title, SkipReason.ALREADY_INDEXED)
                    outcomes[position] = self._outcome(SchedulingResult.SKIPPED, reason=SkipReason.ALREADY_INDEXED)
                else:
                    to_send.append((position, request))
            self._send(to_send, outcomes)
        except Exception as error:  # fire-and-forget: whatever went wrong is logged, never raised
            message = f"{type(error).__name__}: {error}"
            for position, track in enumerate(tracks):
                if outcomes[position] is None:
                    self._log.failed(track.isrc or "", track.title, message)
                    outcomes[position] = self._outcome(SchedulingResult.ERROR, error=message)
        return [outcome for outcome in outcomes if outcome is not None]

    def _requests(
        self, tracks: Sequence[TrackToSchedule], outcomes: list[Scheduling | None]
    ) -> list[tuple[int, TrackIngestionRequested]]:
        """The ingestion request of every track that can have one; the others' outcomes set."""
        requests = []
        for position, track in enumerate(tracks):
            try:
                isrc = normalize_isrc(track.isrc)
            except InvalidIsrc as invalid:
                reason = _SKIP_FOR[invalid.problem]
                self._log.skipped(track.isrc or None, track.title, reason)
                outcomes[position] = self._outcome(SchedulingResult.SKIPPED, reason=reason)
                continue
            try:
                request = TrackIngestionRequested(
                    isrc=isrc,
                    title=track.title,
                    artist=track.artist,
                    album=track.album or None,
                    album_id=track.album_id,
                    provider=self._provider,
                )
            except ValidationError as error:
                problem = validation.describe(error)
                self._log.invalid_request(isrc, track.title, problem)
                outcomes[position] = self._outcome(SchedulingResult.ERROR, error=problem)
                continue
            requests.append((position, request))
        return requests

    def _indexed(self, isrcs: list[str]) -> set[str]:
        """The ISRCs already in the index; none when it cannot answer (fail-open)."""
        started = time.perf_counter()
        try:
            return self._index.indexed(isrcs)
        except Exception as error:
            self._log.index_unavailable(error_details(error)["message"], _ms_since(started))
            return set()

    def _send(self, requests: list[tuple[int, TrackIngestionRequested]], outcomes: list[Scheduling | None]) -> None:
        started = time.perf_counter()
        errors = self._queue.send([request for _, request in requests])
        duration_ms = _ms_since(started)
        for (position, request), error in zip(requests, errors, strict=True):
            if error is None:
                self._log.scheduled(request.isrc, request.title, duration_ms)
                outcomes[position] = self._outcome(SchedulingResult.SUCCESS)
            else:
                self._log.failed(request.isrc, request.title, error, duration_ms)
                outcomes[position] = self._outcome(SchedulingResult.ERROR, error=error)

    def _outcome(
        self, result: SchedulingResult, reason: SkipReason | None = None, error: str | None = None
    ) -> Scheduling:
        return Scheduling(result=result, reason=reason.value if reason else None, error=error, at=now_iso(self._clock))


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
