"""Scheduling: normalized ISRCs, one index check per album, fail-open, one request per track,
fire-and-forget, and log lines with exactly the seed's fields."""

from __future__ import annotations

import socket

import pytest

from library_ingestion.index import IndexedTrack, TrackIndex, connect
from library_ingestion.ingestion_queue import IngestionQueue
from library_ingestion.models import SchedulingResult, TrackToSchedule
from library_ingestion.scheduling import IngestionScheduler
from library_ingestion.scheduling_log import EVENTS, FIELDS

from .conftest import COLLECTION, CapturedLog, LibraryResources

# What Powertools' Logger adds to every line beside the seed's fields.
POWERTOOLS_KEYS = {"level", "location", "message", "timestamp", "service", "sampling_rate"}


def seed_point(index: TrackIndex, isrc: str) -> None:
    track = IndexedTrack(isrc=isrc, title="seeded", artist="seed", embedding="test", indexed_at="2026-01-01T00:00:00Z")
    index.upsert(track, [1.0] + [0.0] * 255)


def track(isrc: str | None, title: str = "A Song") -> TrackToSchedule:
    return TrackToSchedule(isrc=isrc, title=title, artist="An Artist", album="An Album", album_id="alb-1")


def scheduler(
    library: LibraryResources,
    captured: CapturedLog,
    index: TrackIndex | None = None,
    queue: IngestionQueue | None = None,
) -> IngestionScheduler:
    return IngestionScheduler(index or library.index, queue or library.queue, "fixture", captured.log)


def closed_url() -> str:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{closed.getsockname()[1]}"


def test_a_track_with_a_lower_case_isrc_is_scheduled_normalized(
    library: LibraryResources, captured: CapturedLog
) -> None:
    outcome = scheduler(library, captured).schedule_track(track("zzcnv2100001", "Lantern"))

    assert outcome.result is SchedulingResult.SUCCESS
    [request] = library.requests()
    assert request == {
        "isrc": "ZZCNV2100001",
        "title": "Lantern",
        "artist": "An Artist",
        "album": "An Album",
        "albumId": "alb-1",
        "provider": "fixture",
    }
    [line] = captured.lines()
    assert line["event"] == "ingestion_scheduled" and line["isrc"] == "ZZCNV2100001"
    assert (line["trackTitle"], line["result"], line["level"]) == ("Lantern", "success", "INFO")
    assert isinstance(line["duration_ms"], int)


@pytest.mark.parametrize(
    ("isrc", "reason"), [(None, "missing_isrc"), ("", "missing_isrc"), ("US-RC1-76-07839", "invalid_isrc")]
)
def test_a_track_without_a_valid_isrc_is_skipped_with_a_warning(
    library: LibraryResources, captured: CapturedLog, isrc: str | None, reason: str
) -> None:
    outcome = scheduler(library, captured).schedule_track(track(isrc))

    assert (outcome.result, outcome.reason) == (SchedulingResult.SKIPPED, reason)
    assert library.requests() == []
    [line] = captured.lines()
    assert (line["event"], line["reason"], line["result"], line["level"]) == (
        "ingestion_skipped",
        reason,
        "skipped",
        "WARNING",
    )
    assert line.get("isrc") == (isrc or None)  # the value as given, when there was one


def test_a_track_already_indexed_is_skipped(library: LibraryResources, captured: CapturedLog) -> None:
    seed_point(library.index, "ZZCNV2100002")

    outcome = scheduler(library, captured).schedule_track(track("zzcnv2100002"))

    assert (outcome.result, outcome.reason) == (SchedulingResult.SKIPPED, "already_indexed")
    assert library.requests() == []
    assert [(line["event"], line["reason"]) for line in captured.lines()] == [("ingestion_skipped", "already_indexed")]


def test_an_album_is_checked_once_and_each_track_gets_its_own_request(
    library: LibraryResources, captured: CapturedLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    isrcs = [f"ZZALB{position:07d}" for position in range(1, 13)]
    isrcs[6] = None  # type: ignore[call-overload]
    for indexed in (isrcs[0], isrcs[1]):
        seed_point(library.index, indexed)
    checks = []
    index = library.index
    original = index.indexed
    monkeypatch.setattr(index, "indexed", lambda asked: checks.append(list(asked)) or original(asked))

    outcomes = scheduler(library, captured, index=index).schedule_album_tracks([track(isrc) for isrc in isrcs])

    assert len(checks) == 1 and len(checks[0]) == 11  # one existence check, for every valid ISRC
    assert [o.result.value for o in outcomes] == ["skipped"] * 2 + ["success"] * 4 + ["skipped"] + ["success"] * 5
    assert sorted(request["isrc"] for request in library.requests()) == sorted(isrcs[2:6] + isrcs[7:])
    [batch] = captured.lines("album_ingestion_batch")
    assert (batch["total_tracks"], batch["scheduled_count"], batch["skipped_count"]) == (12, 9, 3)
    assert batch["result"] == "success" and isinstance(batch["duration_ms"], int)
    assert len(captured.lines("ingestion_scheduled")) == 9 and len(captured.lines("ingestion_skipped")) == 3


def test_fail_open_an_index_that_cannot_answer_schedules_them_all(
    library: LibraryResources, captured: CapturedLog
) -> None:
    unreachable = TrackIndex(connect(closed_url(), timeout_seconds=1), COLLECTION)

    outcomes = scheduler(library, captured, index=unreachable).schedule_album_tracks(
        [track("ZZFAILOPEN01"), track("ZZFAILOPEN02")]
    )

    assert [o.result for o in outcomes] == [SchedulingResult.SUCCESS] * 2
    assert len(library.requests()) == 2
    [error] = captured.lines("qdrant_error")
    assert (
        error["result"] == "error" and "Connection refused" in error["error"] and isinstance(error["duration_ms"], int)
    )


def test_fire_and_forget_a_queue_that_refuses_is_logged_and_never_raised(
    library: LibraryResources, captured: CapturedLog
) -> None:
    down = IngestionQueue(library.aws.client("sqs"), library.queue_url + "-gone")

    outcomes = scheduler(library, captured, queue=down).schedule_album_tracks([track("ZZDOWN000001"), track(None)])

    assert [o.result for o in outcomes] == [SchedulingResult.ERROR, SchedulingResult.SKIPPED]
    [error] = captured.lines("ingestion_error")
    assert error["isrc"] == "ZZDOWN000001" and error["result"] == "error" and "NonExistentQueue" in error["error"]
    [batch] = captured.lines("album_ingestion_batch")
    assert (batch["scheduled_count"], batch["skipped_count"], batch["result"]) == (0, 1, "error")


def test_fire_and_forget_even_an_unexpected_failure(library: LibraryResources, captured: CapturedLog) -> None:
    class Broken(IngestionQueue):
        def send(self, requests: object) -> list[str | None]:
            raise RuntimeError("the wire fell out")

    outcome = scheduler(library, captured, queue=Broken(None, "")).schedule_track(track("ZZBROKEN0001"))

    assert (outcome.result, outcome.error) == (SchedulingResult.ERROR, "RuntimeError: the wire fell out")
    [line] = captured.lines("ingestion_error")
    assert line["error"] == "RuntimeError: the wire fell out"


def test_a_request_that_cannot_be_made_is_a_validation_error(library: LibraryResources, captured: CapturedLog) -> None:
    outcome = scheduler(library, captured).schedule_track(track("ZZLONG000001", title="x" * 501))

    assert outcome.result is SchedulingResult.ERROR and "title" in (outcome.error or "")
    [line] = captured.lines("validation_error")
    assert line["isrc"] == "ZZLONG000001" and line["result"] == "error"


def test_every_line_has_the_seeds_fields_and_events_only(library: LibraryResources, captured: CapturedLog) -> None:
    seed_point(library.index, "ZZSEEN000001")
    tracks = [track("ZZNEW0000001"), track("ZZSEEN000001"), track(None), track("bad"), track("ZZLONG000002", "x" * 501)]
    scheduler(library, captured).schedule_album_tracks(tracks)
    unreachable = TrackIndex(connect(closed_url(), timeout_seconds=1), COLLECTION)
    scheduler(library, captured, index=unreachable).schedule_track(track("ZZNEW0000002"))
    down = IngestionQueue(library.aws.client("sqs"), library.queue_url + "-gone")
    scheduler(library, captured, queue=down).schedule_track(track("ZZNEW0000003"))

    lines = captured.lines()
    assert {line["event"] for line in lines} == EVENTS - {"album_track_listing_error"}  # the library logs that one
    for line in lines:
        assert set(line) - POWERTOOLS_KEYS <= FIELDS, line
        assert line["message"] == line["event"] and line["result"] in ("success", "skipped", "error")
