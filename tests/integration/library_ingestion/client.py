"""Library ingestion on a running local cloud, as the tests (and the browser tests) use it:
GraphQL calls with the developer's token, the track-ingestion executions, the GraphQL
function's log lines, the Qdrant endpoint, and the functions' configuration."""

from __future__ import annotations

import contextlib
import json
import socket
import urllib.request
from collections.abc import Iterator
from typing import Any

from qdrant_client import QdrantClient, models

from library_ingestion.isrc import hash_isrc_to_uuid
from localcloud.runner import CloudProcess

from ...conftest import wait_for

COLLECTION = "tracks"


def closed_url() -> str:
    """An address where nothing answers: a stopped service."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{closed.getsockname()[1]}"


class Library:
    def __init__(self, cloud: CloudProcess) -> None:
        self.cloud = cloud
        self.qdrant = QdrantClient(url=cloud.settings.qdrant_url, prefer_grpc=False, check_compatibility=False)
        self._lambda = cloud.client("lambda")
        self._sfn = cloud.client("stepfunctions")
        self._logs = cloud.client("logs")
        self.graphql_function = cloud.outputs["GraphqlFunctionName"]

    # -- GraphQL ----------------------------------------------------------------------------

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        request = urllib.request.Request(
            self.cloud.settings.api_url + "/graphql",
            data=json.dumps({"query": query, "variables": variables}).encode(),
            headers={"content-type": "application/json", "Authorization": f"Bearer {self.cloud.token}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.loads(response.read())
        assert "errors" not in body, body
        return body["data"]

    def add_track(self, isrc: str | None, title: str, artist: str = "Test Ensemble") -> dict[str, Any]:
        query = """mutation($input: AddTrackInput!) {
          addTrackToLibrary(input: $input) { trackKey isrc scheduling { result reason error } }
        }"""
        return self.graphql(query, {"input": {"isrc": isrc, "title": title, "artist": artist}})["addTrackToLibrary"]

    def add_album(self, album_id: str, title: str = "An Album", artist: str = "Test Ensemble") -> dict[str, Any]:
        query = """mutation($input: AddAlbumInput!) {
          addAlbumToLibrary(input: $input) {
            albumId trackListingError tracks { position isrc scheduling { result reason error } }
          }
        }"""
        variables = {"input": {"albumId": album_id, "title": title, "artist": artist}}
        return self.graphql(query, variables)["addAlbumToLibrary"]

    def ingestion(self, isrc: str) -> dict[str, Any]:
        query = """query($isrc: String!) {
          ingestion(isrc: $isrc) {
            status taskId pointId run indexed error { type message step } steps { name status attempts }
          }
        }"""
        return self.graphql(query, {"isrc": isrc})["ingestion"]

    def ingested(self, isrc: str, status: str = "SUCCEEDED", timeout: float = 120) -> dict[str, Any]:
        """The ingestion once it has ended with `status`."""

        def ended() -> dict[str, Any] | None:
            found = self.ingestion(isrc)
            if found["status"] in ("SUCCEEDED", "FAILED"):
                assert found["status"] == status, found
                return found
            return None

        return wait_for(ended, timeout=timeout, interval=0.5, what=f"the ingestion of {isrc} to end {status}")

    def search(self, query: str, limit: int = 5) -> list[dict[str, Any]]:
        gql = (
            "query($q: String!, $n: Int) { searchTracks(query: $q, limit: $n) { score pointId track { isrc title } } }"
        )
        return self.graphql(gql, {"q": query, "n": limit})["searchTracks"]

    # -- what ran, what was logged, what is indexed --------------------------------------------

    def executions(self, isrc: str) -> list[dict[str, Any]]:
        """The track-ingestion executions of an ISRC (its runs and replays)."""
        found, request = (
            [],
            {"stateMachineArn": self.cloud.outputs["TrackIngestionStateMachineArn"], "maxResults": 1000},
        )
        while True:
            page = self._sfn.list_executions(**request)
            found += [e for e in page["executions"] if e["name"].split("--")[0] == f"isrc-{isrc}"]
            if not page.get("nextToken"):
                return found
            request["nextToken"] = page["nextToken"]

    def log_lines(self, event: str) -> list[dict[str, Any]]:
        """The GraphQL function's structured log lines of one scheduling event."""
        return self.function_log(self.graphql_function, event=event)

    def function_log(self, function: str, **fields: Any) -> list[dict[str, Any]]:
        """A function's structured log lines that have these fields."""
        lines, request = [], {"logGroupName": f"/aws/lambda/{function}"}
        while True:
            page = self._logs.filter_log_events(**request)
            for found in page["events"]:
                with contextlib.suppress(ValueError):
                    line = json.loads(found["message"])
                    if isinstance(line, dict) and all(line.get(key) == value for key, value in fields.items()):
                        lines.append(line)
            if not page.get("nextToken"):
                return lines
            request["nextToken"] = page["nextToken"]

    def index_as_if_ingested(self, *isrcs: str) -> None:
        """A point for each ISRC, as an ingestion elsewhere would have left it."""
        points = [
            models.PointStruct(
                id=hash_isrc_to_uuid(isrc),
                vector=[1.0] + [0.0] * 255,
                payload={"isrc": isrc, "title": "indexed elsewhere", "artist": "x", "embedding": "-", "indexedAt": "-"},
            )
            for isrc in isrcs
        ]
        self.qdrant.upsert(COLLECTION, points=points, wait=True)

    def point(self, isrc: str) -> Any:
        points = self.qdrant.retrieve(COLLECTION, ids=[hash_isrc_to_uuid(isrc)], with_payload=True)
        return points[0] if points else None

    # -- configuration --------------------------------------------------------------------------

    def functions_reading(self, variable: str) -> list[str]:
        names, request = [], {}
        while True:
            page = self._lambda.list_functions(**request)
            for function in page["Functions"]:
                if variable in (function.get("Environment") or {}).get("Variables", {}):
                    names.append(function["FunctionName"])
            if not page.get("NextMarker"):
                return names
            request["Marker"] = page["NextMarker"]

    @contextlib.contextmanager
    def configured(self, functions: list[str], **variables: str) -> Iterator[None]:
        """These functions with these environment variables changed, as an operator would with
        update-function-configuration (their warm workers are replaced); restored after."""
        before = {name: self._environment(name) for name in functions}
        try:
            for name in functions:
                self._set_environment(name, {**before[name], **variables})
            yield
        finally:
            for name, environment in before.items():
                self._set_environment(name, environment)

    def _environment(self, name: str) -> dict[str, str]:
        return self._lambda.get_function_configuration(FunctionName=name)["Environment"]["Variables"]

    def _set_environment(self, name: str, variables: dict[str, str]) -> None:
        self._lambda.update_function_configuration(FunctionName=name, Environment={"Variables": variables})
        wait_for(lambda: self._environment(name) == variables, timeout=30, what=f"{name}'s new configuration")
