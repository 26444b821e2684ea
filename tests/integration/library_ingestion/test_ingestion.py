"""Library ingestion end to end on the local cloud: GraphQL at POST /graphql, the catalog served
by the test, the track-ingestion flow and its state machine, the Qdrant endpoint."""

from __future__ import annotations

from library_ingestion.isrc import hash_isrc_to_uuid

from ...conftest import wait_for
from ...library_catalog import CatalogServer, album, unique_isrc
from ..demo_tasks import api
from .client import Library, closed_url

LYRICS = "saffron kites drift above the glacier monastery while the bell ringer hums in ochre"


def test_a_track_with_a_lower_case_isrc_becomes_its_point_and_is_found_by_its_lyrics(
    library: Library, catalog: CatalogServer
) -> None:
    new_album, tracks = album("kites", 1, lyrics={1: LYRICS})
    catalog.add_album(new_album, tracks)
    isrc = tracks[0]["isrc"]

    added = library.add_track(isrc.lower(), "Kites 1")

    assert (added["isrc"], added["scheduling"]["result"]) == (isrc, "SUCCESS")
    ingestion = library.ingested(isrc)
    assert (ingestion["taskId"], ingestion["pointId"], ingestion["indexed"]) == (
        f"isrc-{isrc}",
        hash_isrc_to_uuid(isrc),
        True,
    )
    assert [step["name"] for step in ingestion["steps"]] == [
        "fetch-metadata",
        "fetch-lyrics",
        "embed",
        "upsert-to-index",
    ]
    point = library.point(isrc)
    assert point is not None and str(point.id) == hash_isrc_to_uuid(isrc)
    assert (point.payload["isrc"], point.payload["title"], point.payload["album"]) == (isrc, "Kites 1", "Kites")
    assert point.payload["lyrics"] == LYRICS
    hits = library.search("kites drifting over a monastery on the glacier")
    assert hits[0]["track"]["isrc"] == isrc and hits[0]["pointId"] == hash_isrc_to_uuid(isrc)


def test_adding_it_again_skips_it_as_already_indexed_and_runs_nothing(library: Library, catalog: CatalogServer) -> None:
    new_album, tracks = album("twice", 1)
    catalog.add_album(new_album, tracks)
    isrc = tracks[0]["isrc"]
    library.add_track(isrc, "Twice 1")
    library.ingested(isrc)

    again = library.add_track(isrc, "Twice 1")

    assert again["scheduling"] == {"result": "SKIPPED", "reason": "already_indexed", "error": None}
    assert len(library.executions(isrc)) == 1 and library.ingestion(isrc)["run"] == 1
    [line] = [line for line in library.log_lines("ingestion_skipped") if line.get("isrc") == isrc]
    assert line["reason"] == "already_indexed"


def test_an_album_of_twelve_runs_one_ingestion_per_track_to_ingest(library: Library, catalog: CatalogServer) -> None:
    new_album, tracks = album("twelve", 12, missing_isrc=[7])
    catalog.add_album(new_album, tracks)
    library.index_as_if_ingested(*(indexed["isrc"] for indexed in tracks[:2]))

    added = library.add_album(new_album["albumId"], "Twelve")

    results = [track["scheduling"]["result"] for track in added["tracks"]]
    assert results.count("SUCCESS") == 9 and results.count("SKIPPED") == 3
    to_ingest = [t["isrc"] for t in tracks[2:] if t["isrc"]]
    for isrc in to_ingest:
        library.ingested(isrc)
    assert [len(library.executions(isrc)) for isrc in to_ingest] == [1] * 9
    assert [len(library.executions(track["isrc"])) for track in tracks[:2]] == [0, 0]
    batches = wait_for(
        lambda: [line for line in library.log_lines("album_ingestion_batch") if line["total_tracks"] == 12],
        what="the album_ingestion_batch line",
    )
    assert [(b["total_tracks"], b["scheduled_count"], b["skipped_count"], b["result"]) for b in batches] == [
        (12, 9, 3, "success")
    ]


def test_an_album_of_forty_five_costs_three_isrc_requests(library: Library, catalog: CatalogServer) -> None:
    new_album, tracks = album("forty-five", 45)
    catalog.add_album(new_album, tracks)
    library.index_as_if_ingested(*(track["isrc"] for track in tracks))  # nothing to run: the test is the catalog's
    before = len(catalog.hits("/tracks?"))

    added = library.add_album(new_album["albumId"], "Forty-Five")

    assert [track["isrc"] for track in added["tracks"]] == [track["isrc"] for track in tracks]
    assert {track["scheduling"]["reason"] for track in added["tracks"]} == {"already_indexed"}
    batches = catalog.hits("/tracks?")[before:]
    assert len(batches) == 3 and all(new_album["albumId"] in batch for batch in batches)
    assert len(catalog.hits(f"/albums/{new_album['albumId']}/tracks")) == 1


def test_with_the_qdrant_endpoint_stopped_the_library_write_succeeds_and_every_track_is_scheduled(
    library: Library, catalog: CatalogServer
) -> None:
    new_album, tracks = album("no-index", 3)
    catalog.add_album(new_album, tracks)

    with library.configured([library.graphql_function], QDRANT_URL=closed_url()):
        added = library.add_album(new_album["albumId"], "No Index")

    assert [track["scheduling"]["result"] for track in added["tracks"]] == ["SUCCESS"] * 3  # fail-open
    for track in tracks:
        library.ingested(track["isrc"])
    assert wait_for(lambda: library.log_lines("qdrant_error"), what="the qdrant_error line")[0]["result"] == "error"


def test_with_the_catalog_stopped_the_album_is_saved_and_the_listing_error_logged(library: Library) -> None:
    album_id = album("no-catalog", 1)[0]["albumId"]

    with library.configured([library.graphql_function], CATALOG_URL=closed_url()):
        added = library.add_album(album_id, "No Catalog")

    assert added["tracks"] == [] and album_id in added["trackListingError"]
    saved = library.graphql("{ library(limit: 100) { albums { albumId trackListingError } } }")["library"]["albums"]
    assert {"albumId": album_id, "trackListingError": added["trackListingError"]} in saved
    lines = wait_for(
        lambda: [line for line in library.log_lines("album_track_listing_error") if album_id in line["error"]],
        what="the album_track_listing_error line",
    )
    assert lines[0]["result"] == "error"


def test_a_step_failing_transiently_recovers_and_permanently_fails_the_run_with_the_reason(
    library: Library, catalog: CatalogServer
) -> None:
    new_album, tracks = album("flaky", 2)
    catalog.add_album(new_album, tracks)
    flaky, broken = tracks[0]["isrc"], tracks[1]["isrc"]
    catalog.fail(f"/tracks/isrc/{flaky}", 503, 503)
    catalog.fail(f"/tracks/isrc/{broken}", 403, forever=True)

    library.add_album(new_album["albumId"], "Flaky")

    recovered = library.ingested(flaky)
    assert recovered["steps"][0] == {"name": "fetch-metadata", "status": "SUCCEEDED", "attempts": 3}
    failed = library.ingested(broken, status="FAILED")
    assert failed["error"]["step"] == "fetch-metadata" and failed["error"]["type"] == "PermanentError"
    assert "HTTP 403" in failed["error"]["message"] and failed["indexed"] is False
    status, task = api(library.cloud, "GET", f"/tasks/isrc-{broken}")
    assert status == 200 and task["status"] == "FAILED" and task["flow"] == "track-ingestion"
    assert "HTTP 403" in task["error"]["message"] and task["error"]["step"] == "fetch-metadata"


def test_the_same_isrc_requested_from_two_albums_runs_once(library: Library, catalog: CatalogServer) -> None:
    shared = unique_isrc()
    first, first_tracks = album("first", 2, isrcs={1: shared})
    second, second_tracks = album("second", 2, isrcs={2: shared})
    catalog.add_album(first, first_tracks)
    catalog.add_album(second, second_tracks)
    catalog.fail(f"/tracks/isrc/{shared}", 403, forever=True)  # never indexed: scheduling cannot skip it

    library.add_album(first["albumId"], "First")
    library.ingested(shared, status="FAILED")
    again = library.add_album(second["albumId"], "Second")

    assert again["tracks"][1]["scheduling"]["result"] == "SUCCESS"  # requested a second time
    intake = library.cloud.outputs["TrackIngestionIntakeFunctionName"]
    duplicates = wait_for(
        lambda: library.function_log(intake, isrc=shared, duplicate=True), what="the intake to answer the request"
    )
    assert duplicates[0]["run"] == 1 and len(library.executions(shared)) == 1
