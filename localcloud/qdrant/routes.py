"""Qdrant's REST operations: which this endpoint serves, and how each reads its request.

`OPERATIONS` lists Qdrant's REST API by method, path and operation id (the names in
Qdrant's OpenAPI and in qdrant-client's `http/api` modules). The operations the project
uses have a handler: it reads the path and body and calls the store. The others have
none and answer 501 naming the operation, as does any request no operation matches.
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qdrant_client.http import models

from localcloud.qdrant.errors import NotImplementedOperation
from localcloud.qdrant.requests import SearchRequest, check_point_ids, parse_body, point_id
from localcloud.qdrant.responses import json_reply, text_reply
from localcloud.qdrant.store import VectorStore

Params = dict[str, str]
Handler = Callable[[VectorStore, Params, bytes], Any]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # Qdrant's template: /collections/{collection_name}/points/{id}
    name: str  # Qdrant's operation id
    handler: Handler | None = None
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path)
        object.__setattr__(self, "_pattern", re.compile(pattern))

    def match(self, method: str, path: str) -> Params | None:
        found = self._pattern.fullmatch(path) if method == self.method else None
        return found.groupdict() if found else None


def find(method: str, path: str) -> tuple[Handler, Params]:
    """The handler of the operation a request asks for; NotImplementedOperation when none serves it."""
    for operation in OPERATIONS:
        params = operation.match(method, path)
        if params is not None:
            if operation.handler is None:
                raise NotImplementedOperation(f"{operation.name} ({operation.method} {operation.path})")
            return operation.handler, params
    raise NotImplementedOperation(f"{method} {path} is not an operation this endpoint knows")


# Service

QDRANT_TITLE = "qdrant - vector search engine"


def root(_store: VectorStore, _params: Params, _body: bytes) -> Any:
    # qdrant-client compares this version with its own (major equal, minor within 1):
    # the endpoint speaks exactly the installed client's REST models.
    return json_reply({"title": QDRANT_TITLE, "version": importlib.metadata.version("qdrant-client")})


def health(check: str) -> Handler:
    return lambda _store, _params, _body: text_reply(f"{check} check passed")


# Collections


def get_collections(store: VectorStore, _params: Params, _body: bytes) -> Any:
    return store.list_collections()


def create_collection(store: VectorStore, params: Params, body: bytes) -> Any:
    return store.create_collection(params["collection_name"], parse_body(models.CreateCollection, body))


def get_collection(store: VectorStore, params: Params, _body: bytes) -> Any:
    return store.get_collection(params["collection_name"])


def collection_exists(store: VectorStore, params: Params, _body: bytes) -> Any:
    return models.CollectionExistence(exists=store.collection_exists(params["collection_name"]))


def delete_collection(store: VectorStore, params: Params, _body: bytes) -> Any:
    return store.delete_collection(params["collection_name"])


# Points


def upsert_points(store: VectorStore, params: Params, body: bytes) -> Any:
    operation = parse_body(models.PointInsertOperations, body)
    if isinstance(operation, models.PointsList):
        check_point_ids(point.id for point in operation.points)
    else:
        check_point_ids(operation.batch.ids)
    return store.upsert(params["collection_name"], operation)


def get_points(store: VectorStore, params: Params, body: bytes) -> Any:
    request = parse_body(models.PointRequest, body)
    check_point_ids(request.ids)
    return store.retrieve(params["collection_name"], request)


def get_point(store: VectorStore, params: Params, _body: bytes) -> Any:
    return store.get_point(params["collection_name"], point_id(params["id"]))


def delete_points(store: VectorStore, params: Params, body: bytes) -> Any:
    selector = parse_body(models.PointsSelector, body)
    if isinstance(selector, models.PointIdsList):
        check_point_ids(selector.points)
    return store.delete_points(params["collection_name"], selector)


def search_points(store: VectorStore, params: Params, body: bytes) -> Any:
    return store.search(params["collection_name"], parse_body(SearchRequest, body))


def query_points(store: VectorStore, params: Params, body: bytes) -> Any:
    return store.query(params["collection_name"], parse_body(models.QueryRequest, body))


def scroll_points(store: VectorStore, params: Params, body: bytes) -> Any:
    request = parse_body(models.ScrollRequest, body)
    if request.offset is not None:
        check_point_ids([request.offset])
    return store.scroll(params["collection_name"], request)


def count_points(store: VectorStore, params: Params, body: bytes) -> Any:
    # qdrant-client always sends a body; Qdrant also takes none (count everything).
    request = parse_body(models.CountRequest, body) if body else models.CountRequest()
    return store.count(params["collection_name"], request)


COLLECTION = "/collections/{collection_name}"
POINTS = COLLECTION + "/points"
SHARD_SNAPSHOTS = COLLECTION + "/shards/{shard_id}/snapshots"

OPERATIONS: tuple[Operation, ...] = (
    # served
    Operation("GET", "/", "root", root),
    Operation("GET", "/healthz", "healthz", health("healthz")),
    Operation("GET", "/livez", "livez", health("livez")),
    Operation("GET", "/readyz", "readyz", health("readyz")),
    Operation("GET", "/collections", "get_collections", get_collections),
    Operation("PUT", COLLECTION, "create_collection", create_collection),
    Operation("GET", COLLECTION, "get_collection", get_collection),
    Operation("GET", COLLECTION + "/exists", "collection_exists", collection_exists),
    Operation("DELETE", COLLECTION, "delete_collection", delete_collection),
    Operation("PUT", POINTS, "upsert_points", upsert_points),
    Operation("POST", POINTS, "get_points", get_points),
    Operation("GET", POINTS + "/{id}", "get_point", get_point),
    Operation("POST", POINTS + "/delete", "delete_points", delete_points),
    Operation("POST", POINTS + "/search", "search_points", search_points),
    Operation("POST", POINTS + "/query", "query_points", query_points),
    Operation("POST", POINTS + "/scroll", "scroll_points", scroll_points),
    Operation("POST", POINTS + "/count", "count_points", count_points),
    # not served: 501
    Operation("GET", "/metrics", "metrics"),
    Operation("GET", "/telemetry", "telemetry"),
    Operation("GET", "/issues", "get_issues"),
    Operation("DELETE", "/issues", "clear_issues"),
    Operation("GET", "/quotas", "get_quotas"),
    Operation("PUT", "/quotas", "update_quotas"),
    Operation("GET", "/aliases", "get_collections_aliases"),
    Operation("POST", "/collections/aliases", "update_aliases"),
    Operation("GET", COLLECTION + "/aliases", "get_collection_aliases"),
    Operation("PATCH", COLLECTION, "update_collection"),
    Operation("GET", COLLECTION + "/optimizations", "get_optimizations"),
    Operation("PUT", COLLECTION + "/vectors/{vector_name}", "create_vector_name"),
    Operation("DELETE", COLLECTION + "/vectors/{vector_name}", "delete_vector_name"),
    Operation("PUT", COLLECTION + "/index", "create_field_index"),
    Operation("DELETE", COLLECTION + "/index/{field_name}", "delete_field_index"),
    Operation("POST", COLLECTION + "/facet", "facet"),
    Operation("POST", POINTS + "/batch", "batch_update"),
    Operation("POST", POINTS + "/payload", "set_payload"),
    Operation("PUT", POINTS + "/payload", "overwrite_payload"),
    Operation("POST", POINTS + "/payload/delete", "delete_payload"),
    Operation("POST", POINTS + "/payload/clear", "clear_payload"),
    Operation("PUT", POINTS + "/vectors", "update_vectors"),
    Operation("POST", POINTS + "/vectors/delete", "delete_vectors"),
    Operation("POST", POINTS + "/search/batch", "search_batch_points"),
    Operation("POST", POINTS + "/search/groups", "search_point_groups"),
    Operation("POST", POINTS + "/search/matrix/pairs", "search_matrix_pairs"),
    Operation("POST", POINTS + "/search/matrix/offsets", "search_matrix_offsets"),
    Operation("POST", POINTS + "/query/batch", "query_batch_points"),
    Operation("POST", POINTS + "/query/groups", "query_points_groups"),
    Operation("POST", POINTS + "/recommend", "recommend_points"),
    Operation("POST", POINTS + "/recommend/batch", "recommend_batch_points"),
    Operation("POST", POINTS + "/recommend/groups", "recommend_point_groups"),
    Operation("POST", POINTS + "/discover", "discover_points"),
    Operation("POST", POINTS + "/discover/batch", "discover_batch_points"),
    Operation("GET", "/cluster", "cluster_status"),
    Operation("GET", "/cluster/telemetry", "cluster_telemetry"),
    Operation("POST", "/cluster/recover", "recover_current_peer"),
    Operation("DELETE", "/cluster/peer/{peer_id}", "remove_peer"),
    Operation("GET", COLLECTION + "/cluster", "collection_cluster_info"),
    Operation("POST", COLLECTION + "/cluster", "update_collection_cluster"),
    Operation("GET", COLLECTION + "/shards", "list_shard_keys"),
    Operation("PUT", COLLECTION + "/shards", "create_shard_key"),
    Operation("POST", COLLECTION + "/shards/delete", "delete_shard_key"),
    Operation("GET", "/snapshots", "list_full_snapshots"),
    Operation("POST", "/snapshots", "create_full_snapshot"),
    Operation("GET", "/snapshots/{snapshot_name}", "get_full_snapshot"),
    Operation("DELETE", "/snapshots/{snapshot_name}", "delete_full_snapshot"),
    Operation("GET", COLLECTION + "/snapshots", "list_snapshots"),
    Operation("POST", COLLECTION + "/snapshots", "create_snapshot"),
    Operation("PUT", COLLECTION + "/snapshots/recover", "recover_from_snapshot"),
    Operation("POST", COLLECTION + "/snapshots/upload", "recover_from_uploaded_snapshot"),
    Operation("GET", COLLECTION + "/snapshots/{snapshot_name}", "get_snapshot"),
    Operation("DELETE", COLLECTION + "/snapshots/{snapshot_name}", "delete_snapshot"),
    Operation("GET", SHARD_SNAPSHOTS, "list_shard_snapshots"),
    Operation("POST", SHARD_SNAPSHOTS, "create_shard_snapshot"),
    Operation("PUT", SHARD_SNAPSHOTS + "/recover", "recover_shard_from_snapshot"),
    Operation("POST", SHARD_SNAPSHOTS + "/upload", "recover_shard_from_uploaded_snapshot"),
    Operation("GET", SHARD_SNAPSHOTS + "/{snapshot_name}", "get_shard_snapshot"),
    Operation("DELETE", SHARD_SNAPSHOTS + "/{snapshot_name}", "delete_shard_snapshot"),
    Operation("GET", COLLECTION + "/shards/{shard_id}/snapshot", "stream_shard_snapshot"),
)
