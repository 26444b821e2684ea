"""The index's collection, created on deploy by the custom resource: the embedding's size and
cosine distance, idempotent, refused with another size; CloudFormation always answered."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from qdrant_client import QdrantClient, models

from library_ingestion.collection import CollectionResource
from library_ingestion.index import CollectionMismatch, TrackIndex

from ...conftest import load_handler
from ..conftest import FakeLambdaContext
from .conftest import EMBEDDINGS, LibraryResources


def test_the_collection_is_made_with_the_embeddings_size_and_cosine_once() -> None:
    client = QdrantClient(location=":memory:")
    resource = CollectionResource(TrackIndex(client, "fresh"), EMBEDDINGS)

    first, second = resource.ensure(), resource.ensure()

    assert (first["Outcome"], second["Outcome"]) == ("created", "exists")
    vectors = client.get_collection("fresh").config.params.vectors
    assert isinstance(vectors, models.VectorParams)
    assert (vectors.size, vectors.distance) == (256, models.Distance.COSINE)
    assert first["VectorSize"] == 256 and first["Embedding"] == "wordllama-l2_supercat-256"


def test_a_collection_of_another_size_is_refused_not_replaced() -> None:
    client = QdrantClient(location=":memory:")
    client.create_collection("tracks", vectors_config=models.VectorParams(size=1024, distance=models.Distance.COSINE))

    with pytest.raises(CollectionMismatch, match="size 1024, the embedding gives 256"):
        CollectionResource(TrackIndex(client, "tracks"), EMBEDDINGS).ensure()


class ResponseUrl:
    """Where CloudFormation waits for a custom resource's answer (a presigned S3 URL on AWS)."""

    def __init__(self) -> None:
        self.answers: list[dict[str, Any]] = []
        answers = self.answers

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:  # noqa: N802 - http.server's name
                answers.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def event(self, request_type: str, physical_id: str | None = None) -> dict[str, Any]:
        event = {
            "RequestType": request_type,
            "ResponseURL": f"http://127.0.0.1:{self.server.server_address[1]}/answer",
            "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/conveyor/1",
            "RequestId": "request-1",
            "LogicalResourceId": "TracksCollection",
            "ResourceType": "Custom::QdrantCollection",
            "ResourceProperties": {"CollectionName": "tracks"},
        }
        return {**event, "PhysicalResourceId": physical_id} if physical_id else event


@pytest.fixture
def response_url() -> Iterator[ResponseUrl]:
    url = ResponseUrl()
    yield url
    url.server.shutdown()


def test_the_function_answers_cloudformation_with_the_collection(
    library: LibraryResources, response_url: ResponseUrl
) -> None:
    handler = load_handler("library_ingestion/collection").handler

    handler(response_url.event("Create"), FakeLambdaContext())

    [answer] = response_url.answers
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("SUCCESS", "qdrant-collection-tracks")
    assert answer["Data"]["VectorSize"] == 256 and answer["Data"]["Distance"] == "Cosine"
    assert (answer["RequestId"], answer["LogicalResourceId"]) == ("request-1", "TracksCollection")


def test_a_failure_is_answered_failed_with_its_reason_and_a_delete_always_succeeds(
    library: LibraryResources, response_url: ResponseUrl, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QDRANT_API_KEY_SOURCE", "/conveyor/no-such-parameter")  # reading the key fails
    handler = load_handler("library_ingestion/collection").handler

    handler(response_url.event("Create"), FakeLambdaContext())
    handler(response_url.event("Delete", "qdrant-collection-tracks"), FakeLambdaContext())

    failed, deleted = response_url.answers
    assert failed["Status"] == "FAILED" and "ParameterNotFound" in failed["Reason"]
    assert (deleted["Status"], deleted["PhysicalResourceId"]) == ("SUCCESS", "qdrant-collection-tracks")


def test_the_api_key_comes_from_ssm_or_secrets_manager(library: LibraryResources) -> None:
    from library_ingestion.index import api_key

    ssm, secrets = library.aws.client("ssm"), library.aws.client("secretsmanager")
    ssm.put_parameter(Name="/conveyor/qdrant-api-key", Value="from-ssm", Type="SecureString")
    arn = secrets.create_secret(Name="conveyor/qdrant", SecretString="from-secrets-manager")["ARN"]

    assert api_key("", library.aws) is None
    assert api_key("/conveyor/qdrant-api-key", library.aws) == "from-ssm"
    assert api_key(arn, library.aws) == "from-secrets-manager"
