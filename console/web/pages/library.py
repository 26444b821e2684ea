"""Library ingestion, through Conveyor's GraphQL API: the organization's library with each
track's ingestion (scheduled, running, indexed, failed, or skipped with the reason), each
linked to its task; and a search box over the index (`searchTracks`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.web.rendering import console_of, render

PAGE_LIMIT = 25
SEARCH_LIMIT = 10
MAX_QUERY_CHARS = 1000

_TRACK = """trackKey isrc givenIsrc title artist position
  scheduling { result reason error at }
  ingestion { status taskId error { message step } }"""
LIBRARY = f"""query($limit: Int, $token: String) {{
  library(limit: $limit, nextToken: $token) {{
    albums {{ albumId title artist trackListingError addedAt tracks {{ {_TRACK} }} }}
    tracks {{ {_TRACK} addedAt }}
    nextToken
  }}
}}"""
SEARCH = """query($q: String!, $limit: Int) {
  searchTracks(query: $q, limit: $limit) { score pointId track { isrc title artist album hasLyrics } }
}"""


@dataclass(frozen=True)
class TrackState:
    """What happened to a track's ingestion, in a word (`state`) and why (`detail`)."""

    state: str  # scheduled | running | indexed | failed | skipped | error
    detail: str = ""
    in_progress: bool = False


def track_state(track: dict[str, Any]) -> TrackState:
    scheduling = track.get("scheduling") or {}
    ingestion = track.get("ingestion") or {}
    status = ingestion.get("status")
    if status == "SUCCEEDED":
        return TrackState("indexed")
    if status == "FAILED":
        error = ingestion.get("error") or {}
        return TrackState("failed", f"{error.get('step') or ''}: {error.get('message') or ''}".strip(": "))
    if status in ("QUEUED", "RUNNING"):
        return TrackState("scheduled" if status == "QUEUED" else "running", in_progress=True)
    if scheduling.get("result") == "SKIPPED":
        reason = scheduling.get("reason") or ""
        return TrackState("indexed" if reason == "already_indexed" else "skipped", reason)
    if scheduling.get("result") == "ERROR":
        return TrackState("error", scheduling.get("error") or "")
    # Scheduled, and its request not yet a run (the intake is on its way).
    return TrackState("scheduled", in_progress=scheduling.get("result") == "SUCCESS")


def library(request: Request) -> Response:
    api = console_of(request).api
    token = request.query_params.get("token") or None
    page = api.graphql(LIBRARY, {"limit": PAGE_LIMIT, "token": token})["library"]
    tracks = [*(t for album in page["albums"] for t in album["tracks"]), *page["tracks"]]
    states = {id(track): track_state(track) for track in tracks}
    live = any(state.in_progress for state in states.values())
    return render(request, "library.html", live=live, page=page, state_of=lambda t: states[id(t)], token=token)


def search(request: Request) -> Response:
    query = request.query_params.get("q", "").strip()[:MAX_QUERY_CHARS]
    hits = console_of(request).api.graphql(SEARCH, {"q": query, "limit": SEARCH_LIMIT})["searchTracks"] if query else []
    return render(request, "library_search.html", query=query, hits=hits)


routes = [
    Route("/library", library),
    Route("/library/search", search),
]
