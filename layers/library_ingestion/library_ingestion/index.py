"""The vector index of tracks: one Qdrant collection, one point per ISRC.

Handlers always reach Qdrant over its API with qdrant-client (`QDRANT_URL`; locally the
local cloud's Qdrant-compatible endpoint, on AWS a Qdrant server or Qdrant Cloud with an API
key). A track's point id is `hash_isrc_to_uuid(isrc)`, so upserting a track again replaces
its point and any service can find it by ISRC. Qdrant's failures become the core errors:
unreachable, timeouts, 5xx and 429 are TransientError, a refused request PermanentError.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, TypeVar

from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ApiException, UnexpectedResponse

from conveyor.core.aws import AwsClients
from conveyor.core.errors import PermanentError, TransientError
from conveyor.core.models import ApiModel
from library_ingestion.isrc import hash_isrc_to_uuid

T = TypeVar("T")


class CollectionMismatch(PermanentError):
    """The collection exists with vectors another embedding made."""


class IndexedTrack(ApiModel):
    """A point's payload: what a search answers about a track."""

    isrc: str
    title: str
    artist: str
    album: str | None = None
    album_id: str | None = None
    genre: str | None = None
    release_date: str | None = None
    duration_seconds: int | None = None
    has_lyrics: bool = False
    lyrics: str | None = None
    embedding: str
    indexed_at: str


class TrackHit(ApiModel):
    score: float
    point_id: str
    track: IndexedTrack


class TrackIndex:
    def __init__(self, client: QdrantClient, collection: str) -> None:
        self._client = client
        self.collection = collection

    def indexed(self, isrcs: Sequence[str]) -> set[str]:
        """Which of these (normalized) ISRCs have a point: one request for all of them."""
        if not isrcs:
            return set()
        by_id = {hash_isrc_to_uuid(isrc): isrc for isrc in isrcs}
        points = self._call(
            lambda: self._client.retrieve(self.collection, ids=list(by_id), with_payload=False, with_vectors=False)
        )
        return {by_id[str(point.id)] for point in points if str(point.id) in by_id}

    def upsert(self, track: IndexedTrack, vector: Sequence[float]) -> str:
        point_id = hash_isrc_to_uuid(track.isrc)
        point = models.PointStruct(id=point_id, vector=list(vector), payload=track.model_dump(mode="json"))
        self._call(lambda: self._client.upsert(self.collection, points=[point], wait=True))
        return point_id

    def search(self, vector: Sequence[float], limit: int) -> list[TrackHit]:
        found = self._call(
            lambda: self._client.query_points(self.collection, query=list(vector), limit=limit, with_payload=True)
        )
        return [
            TrackHit(score=point.score, point_id=str(point.id), track=IndexedTrack.model_validate(point.payload))
            for point in found.points
        ]

    def ensure_collection(self, dimensions: int) -> Literal["created", "exists"]:
        """Create the collection (cosine distance, `dimensions`) unless it exists; CollectionMismatch
        when it exists with another vector size."""
        if not self._call(lambda: self._client.collection_exists(self.collection)):
            config = models.VectorParams(size=dimensions, distance=models.Distance.COSINE)
            try:
                self._call(lambda: self._client.create_collection(self.collection, vectors_config=config))
                return "created"
            except PermanentError:
                if not self._call(lambda: self._client.collection_exists(self.collection)):
                    raise  # not a concurrent create: a real refusal
        vectors = self._call(lambda: self._client.get_collection(self.collection)).config.params.vectors
        size = vectors.size if isinstance(vectors, models.VectorParams) else None
        if size != dimensions:
            raise CollectionMismatch(
                f"collection {self.collection!r} holds vectors of size {size}, the embedding gives {dimensions}: "
                "choose another collection (QdrantCollection) and ingest again"
            )
        return "exists"

    def _call(self, request: Callable[[], T]) -> T:
        try:
            return request()
        except UnexpectedResponse as error:
            status = error.status_code or 0
            problem = TransientError if status >= 500 or status in (408, 429) else PermanentError
            raise problem(f"Qdrant ({self.collection}): HTTP {status}: {error.content[:300]!r}") from error
        except (ApiException, OSError) as error:  # unreachable, timed out, a broken answer
            raise TransientError(f"Qdrant ({self.collection}): {type(error).__name__}: {error}") from error
        except ValueError as error:  # local mode (tests): an unknown collection
            raise PermanentError(f"Qdrant ({self.collection}): {error}") from error


def connect(url: str, api_key: str | None = None, timeout_seconds: int = 10) -> QdrantClient:
    """A REST client of the Qdrant at `url` (`:memory:`: qdrant-client's local mode, for tests).
    No version check at start: it is a request on every cold start, and only ever warns."""
    if url == ":memory:":
        return QdrantClient(location=":memory:")
    return QdrantClient(url=url, api_key=api_key, prefer_grpc=False, timeout=timeout_seconds, check_compatibility=False)


def api_key(source: str, aws: AwsClients) -> str | None:
    """The API key from `source`: none when empty, else a Secrets Manager secret (by ARN) or an
    SSM parameter (by name, SecureString decrypted)."""
    if not source:
        return None
    if source.startswith("arn:") and ":secretsmanager:" in source:
        return str(aws.client("secretsmanager").get_secret_value(SecretId=source)["SecretString"])
    return str(aws.client("ssm").get_parameter(Name=source, WithDecryption=True)["Parameter"]["Value"])
