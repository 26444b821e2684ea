"""The library-ingestion pages against a scripted GraphQL API: each track's ingestion in a word
and why, links to its task, the search box, and a refusal as a clear page."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from moto import mock_aws
from starlette.testclient import TestClient

from console.settings import ConsoleSettings
from console.web.app import create_app
from console.web.pages.library import TrackState, track_state

from .test_conveyor_api import FakeApi


def track(key: str, scheduling: dict | None, ingestion: dict | None, **fields: object) -> dict:
    return {
        "trackKey": key,
        "isrc": key,
        "givenIsrc": key,
        "title": f"Song {key}",
        "artist": "A",
        "position": 1,
        "scheduling": scheduling,
        "ingestion": ingestion,
        **fields,
    }


SCHEDULED = {"result": "SUCCESS", "reason": None, "error": None, "at": "2026-11-23T00:00:00Z"}
LIBRARY = {
    "library": {
        "albums": [
            {
                "albumId": "alb-1",
                "title": "Harbour Lights",
                "artist": "The Tide Clocks",
                "trackListingError": None,
                "addedAt": "2026-11-23T00:00:00Z",
                "tracks": [
                    track(
                        "ZZ0000000001", SCHEDULED, {"status": "SUCCEEDED", "taskId": "isrc-ZZ0000000001", "error": None}
                    ),
                    track(
                        "ZZ0000000002", SCHEDULED, {"status": "RUNNING", "taskId": "isrc-ZZ0000000002", "error": None}
                    ),
                    track("t-abc", {"result": "SKIPPED", "reason": "missing_isrc", "error": None, "at": "-"}, None),
                    track(
                        "ZZ0000000004",
                        SCHEDULED,
                        {
                            "status": "FAILED",
                            "taskId": "isrc-ZZ0000000004",
                            "error": {"message": "GET ...: HTTP 403", "step": "fetch-metadata"},
                        },
                    ),
                ],
            },
            {
                "albumId": "alb-2",
                "title": "Gone",
                "artist": "N",
                "trackListingError": "album alb-2: refused",
                "addedAt": None,
                "tracks": [],
            },
        ],
        "tracks": [
            track(
                "ZZ0000000005",
                {"result": "SKIPPED", "reason": "already_indexed", "error": None, "at": "-"},
                {"status": "NOT_SCHEDULED", "taskId": "isrc-ZZ0000000005", "error": None},
            )
        ],
        "nextToken": "NEXT",
    }
}


@pytest.fixture
def graphql() -> Iterator[FakeApi]:
    server = FakeApi()
    yield server
    server.server.shutdown()


def console(api: FakeApi) -> TestClient:
    with mock_aws():
        app = create_app(ConsoleSettings(actions=False, stack_name=None, api_url=api.url, token="t"))
    return TestClient(app, raise_server_exceptions=False, follow_redirects=False)


@pytest.mark.parametrize(
    ("scheduling", "ingestion", "state"),
    [
        (SCHEDULED, {"status": "SUCCEEDED"}, TrackState("indexed")),
        (SCHEDULED, {"status": "QUEUED"}, TrackState("scheduled", in_progress=True)),
        (SCHEDULED, {"status": "NOT_SCHEDULED"}, TrackState("scheduled", in_progress=True)),  # the intake is on its way
        (
            SCHEDULED,
            {"status": "FAILED", "error": {"message": "boom", "step": "embed"}},
            TrackState("failed", "embed: boom"),
        ),
        ({"result": "SKIPPED", "reason": "invalid_isrc"}, None, TrackState("skipped", "invalid_isrc")),
        (
            {"result": "SKIPPED", "reason": "already_indexed"},
            {"status": "NOT_SCHEDULED"},
            TrackState("indexed", "already_indexed"),
        ),
        ({"result": "ERROR", "error": "queue down"}, {"status": "NOT_SCHEDULED"}, TrackState("error", "queue down")),
    ],
)
def test_a_tracks_ingestion_in_a_word_and_why(scheduling: dict, ingestion: dict | None, state: TrackState) -> None:
    assert track_state({"scheduling": scheduling, "ingestion": ingestion}) == state


def test_the_library_shows_each_tracks_ingestion_and_links_to_its_task(graphql: FakeApi) -> None:
    graphql.replies[("POST", "/graphql")] = (200, {"data": LIBRARY})

    page = console(graphql).get("/library")

    assert page.status_code == 200
    html = page.text
    assert 'data-track="ZZ0000000001" data-state="indexed"' in html
    assert 'data-track="ZZ0000000002" data-state="running"' in html
    assert 'data-track="t-abc" data-state="skipped"' in html and "missing_isrc" in html
    assert 'data-track="ZZ0000000004" data-state="failed"' in html and "fetch-metadata: GET ...: HTTP 403" in html
    assert 'data-track="ZZ0000000005" data-state="indexed"' in html and "already_indexed" in html
    assert 'href="/tasks/isrc-ZZ0000000004"' in html and 'href="/tasks/isrc-ZZ0000000005"' not in html
    assert "No track listing: album alb-2: refused" in html
    assert 'href="/library?token=NEXT"' in html
    assert 'data-refresh=""' not in html  # a running track: the page refreshes itself
    sent = json.loads(graphql.requests[-1]["body"])
    assert sent["variables"] == {"limit": 25, "token": None}


def test_the_search_box_shows_the_hits_by_score(graphql: FakeApi) -> None:
    hits = [
        {
            "score": 0.91234,
            "pointId": "p",
            "track": {"isrc": "ZZ1", "title": "Lantern", "artist": "A", "album": None, "hasLyrics": True},
        }
    ]
    graphql.replies[("POST", "/graphql")] = (200, {"data": {"searchTracks": hits}})

    page = console(graphql).get("/library/search", params={"q": "lighthouse keeper"})

    assert page.status_code == 200 and 'data-hit="ZZ1"' in page.text and "0.912" in page.text
    assert json.loads(graphql.requests[-1]["body"])["variables"] == {"q": "lighthouse keeper", "limit": 10}
    assert console(graphql).get("/library/search").status_code == 200  # no query: no search
    assert len(graphql.requests) == 1


def test_a_refusal_of_the_api_is_a_clear_page(graphql: FakeApi) -> None:
    refusal = {"message": "this identity belongs to no organization", "extensions": {"code": "FORBIDDEN"}}
    graphql.replies[("POST", "/graphql")] = (200, {"data": None, "errors": [refusal]})

    page = console(graphql).get("/library")

    assert page.status_code == 403 and "belongs to no organization" in page.text and "Traceback" not in page.text
