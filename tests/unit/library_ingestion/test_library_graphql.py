"""The library through GraphQL: add a track or an album, the library, a track by ISRC, its
ingestion, and search; the organization from the token; errors with a code and the field."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from conveyor.core.rest import rest_api
from conveyor.graphql.http import graphql_router
from conveyor.graphql.schema import compose
from library_ingestion.graphql import LibraryGraphql
from library_ingestion.ingestions import Ingestions
from library_ingestion.isrc import hash_isrc_to_uuid
from library_ingestion.providers.catalog import CatalogProvider
from library_ingestion.providers.fixture import FixtureCatalog
from library_ingestion.providers.http import HttpCatalog
from library_ingestion.scheduling import IngestionScheduler
from library_ingestion.service import LibraryService

from ..conftest import MEMBER, OTHER_MEMBER, FakeLambdaContext, api_event
from .conftest import EMBEDDINGS, CapturedLog, LibraryResources
from .test_scheduling import seed_point

ADD_TRACK = """mutation($input: AddTrackInput!) {
  addTrackToLibrary(input: $input) {
    trackKey isrc givenIsrc title scheduling { result reason } ingestion { status pointId }
  }
}"""
HARBOUR_LIGHTS = {"albumId": "alb-harbour-lights", "title": "Harbour Lights", "artist": "The Tide Clocks"}
STATIC_BLOOM = {"albumId": "alb-static-bloom", "title": "Static Bloom", "artist": "Marrow Lane"}
ADD_ALBUM = """mutation($input: AddAlbumInput!) {
  addAlbumToLibrary(input: $input) {
    albumId title trackListingError
    tracks { position isrc givenIsrc scheduling { result reason } ingestion { status } }
  }
}"""


class Api:
    def __init__(self, library: LibraryResources, captured: CapturedLog, catalog: CatalogProvider) -> None:
        index = library.index
        scheduler = IngestionScheduler(index, library.queue, catalog.name, captured.log)
        service = LibraryService(library.store, catalog, scheduler, captured.log)
        graphql = LibraryGraphql(service, library.store, Ingestions(library.tasks, index), index, EMBEDDINGS)
        self.app = rest_api("test")
        self.app.include_router(graphql_router(compose(graphql.module())))

    def __call__(self, query: str, variables: dict | None = None, claims: dict | None = MEMBER) -> dict[str, Any]:
        event = api_event("POST", "/graphql", {"query": query, "variables": variables}, claims=claims)
        response = self.app.resolve(event, FakeLambdaContext())
        assert response["statusCode"] == 200, response["body"]
        return json.loads(response["body"])


@pytest.fixture
def api(library: LibraryResources, captured: CapturedLog) -> Api:
    return Api(library, captured, FixtureCatalog.from_file())


def test_a_track_is_added_with_its_isrc_normalized_and_its_ingestion_scheduled(
    api: Api, library: LibraryResources
) -> None:
    body = api(ADD_TRACK, {"input": {"isrc": "zzcnv2100001", "title": "Lantern", "artist": "The Tide Clocks"}})

    added = body["data"]["addTrackToLibrary"]
    assert (added["trackKey"], added["isrc"], added["givenIsrc"]) == ("ZZCNV2100001", "ZZCNV2100001", "zzcnv2100001")
    assert added["scheduling"] == {"result": "SUCCESS", "reason": None}
    assert added["ingestion"] == {"status": "NOT_SCHEDULED", "pointId": hash_isrc_to_uuid("ZZCNV2100001")}
    assert [request["isrc"] for request in library.requests()] == ["ZZCNV2100001"]
    stored = library.store.get_track("org-1", "ZZCNV2100001")
    assert stored is not None and stored.added_by == "user-1" and stored.scheduling is not None


def test_a_track_without_a_valid_isrc_is_kept_but_not_ingested(api: Api, library: LibraryResources) -> None:
    body = api(ADD_TRACK, {"input": {"isrc": "ZZ-1", "title": "Hyphen", "artist": "Marrow Lane"}})

    added = body["data"]["addTrackToLibrary"]
    assert added["isrc"] is None and added["trackKey"].startswith("t-")
    assert added["scheduling"] == {"result": "SKIPPED", "reason": "invalid_isrc"} and added["ingestion"] is None
    assert library.requests() == []


def test_an_album_is_saved_with_its_listing_and_each_track_scheduled(
    api: Api, library: LibraryResources, captured: CapturedLog
) -> None:
    seed_point(library.index, "ZZCNV2100001")
    seed_point(library.index, "ZZCNV2100002")

    body = api(ADD_ALBUM, {"input": HARBOUR_LIGHTS})

    album = body["data"]["addAlbumToLibrary"]
    assert album["trackListingError"] is None and len(album["tracks"]) == 12
    results = [(track["scheduling"]["result"], track["scheduling"]["reason"]) for track in album["tracks"]]
    assert results[:2] == [("SKIPPED", "already_indexed")] * 2 and results[6] == ("SKIPPED", "missing_isrc")
    assert results.count(("SUCCESS", None)) == 9
    assert len(library.requests()) == 9
    [batch] = captured.lines("album_ingestion_batch")
    assert (batch["total_tracks"], batch["scheduled_count"], batch["skipped_count"]) == (12, 9, 3)
    again = library.store.page("org-1", 10, None)[0][0]
    assert [track.scheduling.result.value for track in again.tracks if track.scheduling].count("success") == 9


def test_an_album_whose_listing_the_catalog_cannot_give_is_saved_without_tracks(
    library: LibraryResources, captured: CapturedLog
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        stopped = HttpCatalog(f"http://127.0.0.1:{closed.getsockname()[1]}", timeout_seconds=1)
    api = Api(library, captured, stopped)

    body = api(ADD_ALBUM, {"input": {"albumId": "alb-gone", "title": "Gone", "artist": "Nobody"}})

    album = body["data"]["addAlbumToLibrary"]
    assert album["tracks"] == [] and "alb-gone" in album["trackListingError"]
    [line] = captured.lines("album_track_listing_error")
    assert line["result"] == "error" and "alb-gone" in line["error"] and library.requests() == []
    assert library.store.page("org-1", 10, None)[0][0].track_listing_error == album["trackListingError"]


def test_the_library_is_the_callers_organizations_and_pages_by_next_token(api: Api) -> None:
    for number in range(1, 4):
        api(ADD_TRACK, {"input": {"isrc": f"ZZPAGE00000{number}", "title": f"Song {number}", "artist": "A"}})
    api(ADD_ALBUM, {"input": STATIC_BLOOM})
    query = """query($token: String) {
      library(limit: 2, nextToken: $token) { albums { albumId } tracks { isrc } nextToken }
    }"""

    seen, token = [], None
    while True:
        page = api(query, {"token": token})["data"]["library"]
        seen += [a["albumId"] for a in page["albums"]] + [t["isrc"] for t in page["tracks"]]
        token = page["nextToken"]
        if not token:
            break
    assert seen == ["alb-static-bloom", "ZZPAGE000001", "ZZPAGE000002", "ZZPAGE000003"]
    other = api("{ library { albums { albumId } tracks { isrc } } }", claims=OTHER_MEMBER)["data"]["library"]
    assert other == {"albums": [], "tracks": []}
    forged = api(query, {"token": token or "eyJvcmdhbml6YXRpb24iOiJvcmctMSIsInNrIjoiVFJBQ0sjWiJ9"}, claims=OTHER_MEMBER)
    assert forged["errors"][0]["extensions"] == {"code": "BAD_REQUEST", "field": "nextToken"}


def test_a_track_is_found_by_isrc_on_its_own_or_on_an_album(api: Api) -> None:
    api(ADD_TRACK, {"input": {"isrc": "ZZALONE00001", "title": "Alone", "artist": "A"}})
    api(ADD_ALBUM, {"input": STATIC_BLOOM})
    query = "query($isrc: String!) { track(isrc: $isrc) { title albumId position isrc } }"

    assert api(query, {"isrc": "zzalone00001"})["data"]["track"]["title"] == "Alone"
    on_album = api(query, {"isrc": "ZZCNV2400104"})["data"]["track"]  # listed in lower case by the catalog
    assert on_album == {"title": "Lowercase", "albumId": "alb-static-bloom", "position": 4, "isrc": "ZZCNV2400104"}
    assert api(query, {"isrc": "ZZNOTHERE001"})["data"]["track"] is None
    assert api(query, {"isrc": "ZZALONE00001"}, claims=OTHER_MEMBER)["data"]["track"] is None


def test_an_ingestion_shows_its_task_and_whether_the_point_is_indexed(api: Api, library: LibraryResources) -> None:
    query = "query($isrc: String!) { ingestion(isrc: $isrc) { status taskId pointId indexed error { message step } } }"
    assert api(query, {"isrc": "zzcnv2100003"})["data"]["ingestion"] == {
        "status": "NOT_SCHEDULED",
        "taskId": "isrc-ZZCNV2100003",
        "pointId": hash_isrc_to_uuid("ZZCNV2100003"),
        "indexed": False,
        "error": None,
    }
    library.tasks.register_run("track-ingestion", "isrc-ZZCNV2100003", 1, {"taskId": "isrc-ZZCNV2100003"}, None)
    failure = {"type": "PermanentError", "message": "HTTP 403", "step": "fetch-metadata"}
    library.tasks.record_failed("isrc-ZZCNV2100003", 1, failure)
    seed_point(library.index, "ZZCNV2100003")

    found = api(query, {"isrc": "ZZCNV2100003"}, claims=OTHER_MEMBER)["data"]["ingestion"]  # shared by everyone
    assert (found["status"], found["indexed"]) == ("FAILED", True)
    assert found["error"] == {"message": "HTTP 403", "step": "fetch-metadata"}


def test_search_ranks_the_track_whose_words_are_closest(api: Api, library: LibraryResources) -> None:
    from library_ingestion.index import IndexedTrack

    lyrics = {
        "ZZSEARCH0001": "a lantern on the breakwater, the keeper counts the gulls at dawn",
        "ZZSEARCH0002": "spreadsheets and invoices, the quarterly tax return is due",
        "ZZSEARCH0003": "neon city nights, the subway hums beneath the rain",
    }
    for isrc, text in lyrics.items():
        [vector] = EMBEDDINGS.embed([text])
        track = IndexedTrack(isrc=isrc, title=isrc, artist="A", embedding="wordllama", indexed_at="2026-01-01")
        library.index.upsert(track, vector)
    query = "query($q: String!) { searchTracks(query: $q, limit: 2) { score pointId track { isrc } } }"

    hits = api(query, {"q": "gulls and the lighthouse keeper at the breakwater"})["data"]["searchTracks"]
    assert [hit["track"]["isrc"] for hit in hits][0] == "ZZSEARCH0001" and len(hits) == 2
    assert hits[0]["score"] > hits[1]["score"] and hits[0]["pointId"] == hash_isrc_to_uuid("ZZSEARCH0001")


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        ("query($i: String!) { track(isrc: $i) { title } }", {"i": "nope"}, "isrc"),
        ("query($i: String!) { ingestion(isrc: $i) { status } }", {"i": "US-RC1-76-07839"}, "isrc"),
        ('{ searchTracks(query: " ", limit: 3) { score } }', None, "query"),
        ('{ searchTracks(query: "sea", limit: 51) { score } }', None, "limit"),
        ("{ library(limit: 0) { nextToken } }", None, "limit"),
        (ADD_TRACK, {"input": {"title": "", "artist": "A"}}, "title"),
        (ADD_ALBUM, {"input": {"albumId": "has/slash", "title": "T", "artist": "A"}}, "albumId"),
    ],
)
def test_a_wrong_argument_is_named(api: Api, query: str, variables: dict | None, field: str) -> None:
    [error] = api(query, variables)["errors"]
    assert error["extensions"]["code"] == "VALIDATION_ERROR" and error["extensions"]["field"] == field


def test_no_caller_no_library(api: Api) -> None:
    event = api_event("POST", "/graphql", {"query": "{ library { nextToken } }"}, claims=None)
    response = api.app.resolve(event, FakeLambdaContext())
    assert response["statusCode"] == 401


def test_a_caller_of_no_organization_has_no_library(api: Api) -> None:
    body = api("{ library { nextToken } }", claims={"sub": "user-9", "cognito:groups": "[]"})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
