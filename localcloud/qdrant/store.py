"""The behaviour behind the endpoint: qdrant-client's local mode, one caller at a time.

Local mode (`QdrantLocal`, what `QdrantClient(path=...)` runs) keeps collections in
SQLite files under a folder it locks for one process, or in memory. This store is that
one process's only client: every call takes one lock, because local mode is not safe
for concurrent calls (SQLite connections, dicts of points), and the endpoint serves many
clients. Calls take and return qdrant-client's REST models; local mode's errors become
Qdrant's (`localcloud.qdrant.errors`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from qdrant_client.http import models
from qdrant_client.local.qdrant_local import QdrantLocal

from localcloud.qdrant.errors import AlreadyExists, BadInput, NotFound
from localcloud.qdrant.requests import SearchRequest

T = TypeVar("T")

# Local mode says so in a ValueError; Qdrant answers 404 and 409 with its own wording.
_NOT_FOUND = re.compile(r"Collection (?P<name>.+) not found")
_ALREADY_EXISTS = re.compile(r"(?:Collection|Alias) (?P<name>.+) already exists")
_WRONG_INPUT = "Wrong input: "


class VectorStore:
    """Qdrant's collection and point operations on one local-mode client."""

    def __init__(self, path: Path | None) -> None:
        """`path`: the folder to keep collections in (created if missing); None keeps them in memory."""
        # The lock below serialises every call, so SQLite may be used from the
        # server's worker thread although the client was opened on another.
        self._local = QdrantLocal(str(path) if path else ":memory:", force_disable_check_same_thread=True)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._local.close()

    # Collections

    def list_collections(self) -> models.CollectionsResponse:
        return self._call(self._local.get_collections)

    def create_collection(self, name: str, config: models.CreateCollection) -> bool:
        # Local mode searches exhaustively and keeps one copy of everything: sharding,
        # replication, HNSW, WAL, optimizer and quantization settings have nothing to tune.
        return self._call(
            lambda: self._local.create_collection(
                name,
                vectors_config=config.vectors,
                sparse_vectors_config=config.sparse_vectors,
                metadata=config.metadata,
            )
        )

    def get_collection(self, name: str) -> models.CollectionInfo:
        return self._call(lambda: self._local.get_collection(name))

    def collection_exists(self, name: str) -> bool:
        return self._call(lambda: self._local.collection_exists(name))

    def delete_collection(self, name: str) -> bool:
        return self._call(lambda: self._local.delete_collection(name))

    # Points

    def upsert(self, name: str, operation: models.PointsList | models.PointsBatch) -> models.UpdateResult:
        points = operation.points if isinstance(operation, models.PointsList) else operation.batch
        return self._call(
            lambda: self._local.upsert(
                name, points, update_filter=operation.update_filter, update_mode=operation.update_mode
            )
        )

    def retrieve(self, name: str, request: models.PointRequest) -> list[models.Record]:
        return self._call(
            lambda: self._local.retrieve(
                name,
                request.ids,
                with_payload=_default(request.with_payload, True),
                with_vectors=_default(request.with_vector, False),
            )
        )

    def get_point(self, name: str, point_id: models.ExtendedPointId) -> models.Record:
        found = self.retrieve(name, models.PointRequest(ids=[point_id], with_payload=True, with_vector=True))
        if not found:
            raise NotFound(f"No point with id {point_id} found")
        return found[0]

    def delete_points(self, name: str, selector: models.PointIdsList | models.FilterSelector) -> models.UpdateResult:
        return self._call(lambda: self._local.delete(name, selector))

    # Reads

    def query(self, name: str, request: models.QueryRequest) -> models.QueryResponse:
        return self._call(
            lambda: self._local.query_points(
                name,
                query=request.query,
                using=request.using,
                prefetch=request.prefetch,
                query_filter=request.filter,
                search_params=request.params,
                limit=_default(request.limit, 10),
                offset=request.offset,
                with_payload=_default(request.with_payload, False),
                with_vectors=_default(request.with_vector, False),
                score_threshold=request.score_threshold,
                lookup_from=request.lookup_from,
            )
        )

    def search(self, name: str, request: SearchRequest) -> list[models.ScoredPoint]:
        """Qdrant's older search API: a nearest-neighbour query by one vector."""
        vector, using = request.query_vector()
        found = self.query(
            name,
            models.QueryRequest(
                query=models.NearestQuery(nearest=vector),
                using=using,
                filter=request.filter,
                params=request.params,
                limit=request.limit,
                offset=request.offset,
                with_payload=request.with_payload,
                with_vector=request.with_vector,
                score_threshold=request.score_threshold,
            ),
        )
        return found.points

    def scroll(self, name: str, request: models.ScrollRequest) -> models.ScrollResult:
        points, next_offset = self._call(
            lambda: self._local.scroll(
                name,
                scroll_filter=request.filter,
                limit=_default(request.limit, 10),
                order_by=request.order_by,
                offset=request.offset,
                with_payload=_default(request.with_payload, True),
                with_vectors=_default(request.with_vector, False),
            )
        )
        return models.ScrollResult(points=points, next_page_offset=next_offset)

    def count(self, name: str, request: models.CountRequest) -> models.CountResult:
        # Local mode always counts exactly, which `exact: false` allows too.
        return self._call(lambda: self._local.count(name, count_filter=request.filter))

    def _call(self, operation: Callable[[], T]) -> T:
        with self._lock, _qdrant_errors():
            return operation()


def _default(value: Any, default: Any) -> Any:
    return default if value is None else value


@contextmanager
def _qdrant_errors() -> Iterator[None]:
    """Local mode raises ValueError for every input it refuses; say it as Qdrant does."""
    try:
        yield
    except ValueError as error:
        description = str(error)
        if match := _NOT_FOUND.fullmatch(description):
            raise NotFound(f"Collection `{match['name']}` doesn't exist!") from error
        if match := _ALREADY_EXISTS.fullmatch(description):
            raise AlreadyExists(f"Collection `{match['name']}` already exists!") from error
        raise BadInput(description.removeprefix(_WRONG_INPUT)) from error
