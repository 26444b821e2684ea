"""The track-ingestion steps: metadata, lyrics (none is not a failure), embedding, the point;
provider failures as the core errors; the steps function's cold start."""

from __future__ import annotations

from typing import Any

import pytest

from conveyor.core.errors import PermanentError, TransientError
from conveyor.durable.steps import DurableSteps
from library_ingestion.isrc import hash_isrc_to_uuid
from library_ingestion.models import FLOW, TrackIngestionRequested
from library_ingestion.providers.fixture import FixtureCatalog
from library_ingestion.providers.http import HttpCatalog, HttpLyrics
from library_ingestion.steps import TrackIngestionSteps

from ...conftest import load_handler
from ...library_catalog import CatalogServer
from ..conftest import FakeLambdaContext
from .conftest import EMBEDDINGS, LibraryResources

STEPS = (("fetch-metadata", "fetchMetadata"), ("fetch-lyrics", "fetchLyrics"), ("embed", "embed"))


def request(isrc: str, **fields: Any) -> dict[str, Any]:
    values = {"isrc": isrc, "title": "Asked Title", "artist": "Asked Artist", "provider": "fixture", **fields}
    return TrackIngestionRequested(**values).to_task()


def run(library: LibraryResources, pipeline: TrackIngestionSteps, task: dict[str, Any]) -> dict[str, Any]:
    """Every step in order, as the state machine passes them its state; the state at the end."""
    durable = DurableSteps(library.tasks, FLOW)
    state: dict[str, Any] = {"task": task, "run": 1, "steps": {}}
    for name, key in STEPS:
        state["steps"][key] = durable.handler(name, getattr(pipeline, name.replace("-", "_")))(state, None)
    state["result"] = durable.handler("upsert-to-index", pipeline.upsert_to_index)(state, None)
    return state


def fixture_pipeline(library: LibraryResources) -> TrackIngestionSteps:
    fixture = FixtureCatalog.from_file()
    return TrackIngestionSteps(fixture, fixture, EMBEDDINGS, library.index)


def test_a_track_the_catalog_knows_is_indexed_with_its_metadata_and_lyrics(library: LibraryResources) -> None:
    state = run(library, fixture_pipeline(library), request("ZZCNV2100001"))

    metadata = state["steps"]["fetchMetadata"]
    assert (metadata["title"], metadata["album"], metadata["source"]) == (
        "Lantern on the Breakwater",
        "Harbour Lights",
        "catalog",
    )
    assert state["steps"]["fetchLyrics"]["found"] is True
    assert len(state["steps"]["embed"]["vector"]) == 256
    assert state["result"]["pointId"] == hash_isrc_to_uuid("ZZCNV2100001")
    [point] = library.qdrant.retrieve("tracks", [hash_isrc_to_uuid("ZZCNV2100001")], with_vectors=True)
    assert point.payload is not None and point.payload["title"] == "Lantern on the Breakwater"
    assert point.payload["hasLyrics"] is True and "breakwater" in point.payload["lyrics"]
    assert len(point.vector) == 256  # type: ignore[arg-type]


def test_a_track_without_lyrics_or_unknown_to_the_catalog_is_still_indexed(library: LibraryResources) -> None:
    instrumental = run(library, fixture_pipeline(library), request("ZZCNV2100005"))
    unknown = run(library, fixture_pipeline(library), request("ZZUNKNOWN001", album="Asked Album"))

    assert instrumental["steps"]["fetchLyrics"] == {"found": False, "lyrics": None}
    assert instrumental["steps"]["fetchMetadata"]["title"] == "Anchor Chain"
    assert unknown["steps"]["fetchMetadata"]["source"] == "request"
    assert unknown["steps"]["fetchMetadata"]["album"] == "Asked Album"
    assert library.index.indexed(["ZZCNV2100005", "ZZUNKNOWN001"]) == {"ZZCNV2100005", "ZZUNKNOWN001"}


def test_a_step_that_succeeded_is_not_run_again_when_a_later_one_is_retried(library: LibraryResources) -> None:
    pipeline = fixture_pipeline(library)
    durable = DurableSteps(library.tasks, FLOW)
    state: dict[str, Any] = {"task": request("ZZCNV2100002"), "run": 1, "steps": {}}
    first = durable.handler("fetch-metadata", pipeline.fetch_metadata)(state, None)
    again = durable.handler("fetch-metadata", pipeline.fetch_metadata)(state, None)

    assert first == again
    [record] = [step for step in library.tasks.steps("isrc-ZZCNV2100002") if step.name == "fetch-metadata"]
    assert (record.attempts, record.reused) == (1, 1)


def test_provider_failures_reach_step_functions_as_transient_or_permanent(library: LibraryResources) -> None:
    with CatalogServer(FixtureCatalog.from_file()) as server:
        pipeline = TrackIngestionSteps(HttpCatalog(server.url), HttpLyrics(server.url), EMBEDDINGS, library.index)
        durable = DurableSteps(library.tasks, FLOW)
        fetch = durable.handler("fetch-metadata", pipeline.fetch_metadata)
        server.fail("/tracks/isrc/ZZCNV2100003", 503)
        server.fail("/tracks/isrc/ZZCNV2100004", 403, forever=True)
        with pytest.raises(TransientError, match="HTTP 503"):
            fetch({"task": request("ZZCNV2100003"), "run": 1}, None)
        assert fetch({"task": request("ZZCNV2100003"), "run": 1}, None)["source"] == "catalog"  # the retry
        with pytest.raises(PermanentError, match="HTTP 403"):
            fetch({"task": request("ZZCNV2100004"), "run": 1}, None)
    [failed] = library.tasks.steps("isrc-ZZCNV2100004")
    assert failed.status == "FAILED" and failed.error is not None and "403" in failed.error["message"]


def test_a_malformed_request_fails_permanently(library: LibraryResources) -> None:
    handler = DurableSteps(library.tasks, FLOW).handler("fetch-metadata", fixture_pipeline(library).fetch_metadata)
    with pytest.raises(PermanentError, match="ValidationError: isrc"):
        handler({"task": {"taskId": "isrc-bad", "isrc": "bad", "title": "t", "artist": "a", "provider": "p"}}, None)


def test_the_steps_function_cold_starts_with_its_steps_named(library: LibraryResources) -> None:
    module = load_handler("library_ingestion/steps")
    names = [
        getattr(module, handler).step_name for handler in ("fetch_metadata", "fetch_lyrics", "embed", "upsert_to_index")
    ]
    assert names == ["fetch-metadata", "fetch-lyrics", "embed", "upsert-to-index"]
    state = {"task": request("ZZCNV2100006"), "run": 1, "steps": {}}
    # the fixture catalog, as no CATALOG_URL is set
    assert module.fetch_metadata(state, FakeLambdaContext())["title"] == "The Pier at Closing Time"
