"""The Qdrant-compatible endpoint, driven by the real qdrant-client in REST mode.

Most tests use the endpoint served on its own (`StandaloneEndpoint`, in memory, one per
module); one starts `make up`'s real wiring, twice, to check it serves the endpoint on
loopback and keeps its points across a restart.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import UnexpectedResponse

from localcloud.qdrant import StandaloneEndpoint

from .conftest import start_cloud

SIZE = 4
GENRES = ("rock", "jazz", "pop")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[StandaloneEndpoint]:
    with StandaloneEndpoint(None) as served:
        yield served


@pytest.fixture(scope="module")
def client(endpoint: StandaloneEndpoint) -> Iterator[QdrantClient]:
    qdrant = QdrantClient(url=endpoint.url, prefer_grpc=False)
    yield qdrant
    qdrant.close()


@pytest.fixture
def collection(client: QdrantClient) -> Iterator[str]:
    name = f"tracks-{uuid.uuid4().hex[:8]}"
    client.create_collection(name, vectors_config=models.VectorParams(size=SIZE, distance=models.Distance.COSINE))
    yield name
    client.delete_collection(name)


def track(number: int) -> models.PointStruct:
    """Point `number`: a vector that turns away from (1, 0, 0, 0) as `number` grows, and a payload to filter on."""
    return models.PointStruct(
        id=number,
        vector=[1.0, number / 10, 0.0, 0.0],
        payload={"genre": GENRES[number % 3], "year": 1990 + number, "title": f"track {number}"},
    )


def fill(client: QdrantClient, collection: str, count: int) -> None:
    client.upsert(collection, [track(number) for number in range(count)])


def error_of(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"status", "time"}
    return body["status"]["error"]


# Collections


def test_a_collection_is_created_described_listed_and_deleted(client: QdrantClient) -> None:
    name = f"albums-{uuid.uuid4().hex[:8]}"
    assert not client.collection_exists(name)

    assert client.create_collection(name, vectors_config=models.VectorParams(size=256, distance=models.Distance.COSINE))

    assert client.collection_exists(name)
    assert name in [c.name for c in client.get_collections().collections]
    info = client.get_collection(name)
    assert info.config.params.vectors == models.VectorParams(size=256, distance=models.Distance.COSINE)
    assert info.points_count == 0
    assert client.delete_collection(name)
    assert not client.collection_exists(name)
    assert not client.delete_collection(name)


def test_creating_an_existing_collection_answers_409(client: QdrantClient, collection: str) -> None:
    with pytest.raises(UnexpectedResponse) as raised:
        client.create_collection(collection, vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    assert raised.value.status_code == 409
    assert f"Collection `{collection}` already exists" in raised.value.content.decode()


def test_the_client_finds_a_version_it_is_compatible_with(client: QdrantClient) -> None:
    assert client.info().version == importlib.metadata.version("qdrant-client")


# Points


def test_upserted_points_are_retrieved_by_id_with_payload_and_vector(client: QdrantClient, collection: str) -> None:
    song = str(uuid.uuid4())
    client.upsert(collection, [track(1), models.PointStruct(id=song, vector=[0, 1, 0, 0], payload={"lyrics": None})])
    client.upsert(collection, models.Batch(ids=[2, 3], vectors=[[0, 0, 1, 0], [0, 0, 0, 1]], payloads=[{}, {}]))

    found = client.retrieve(collection, [1, song, 3, 999], with_vectors=True)

    assert {point.id: point.payload for point in found} == {
        1: track(1).payload,
        song: {"lyrics": None},
        3: {},
    }
    assert next(point.vector for point in found if point.id == 3) == [0, 0, 0, 1]
    assert client.count(collection).count == 4


def test_an_upsert_replaces_the_point_with_the_same_id(client: QdrantClient, collection: str) -> None:
    client.upsert(collection, [track(1)])
    client.upsert(collection, [models.PointStruct(id=1, vector=[0, 1, 0, 0], payload={"genre": "folk"})])

    assert [point.payload for point in client.retrieve(collection, [1])] == [{"genre": "folk"}]
    assert client.count(collection).count == 1


def test_one_point_is_read_by_get(client: QdrantClient, collection: str) -> None:
    fill(client, collection, 3)

    point = client.http.points_api.get_point(collection, 2).result

    assert point is not None and point.id == 2 and point.payload == track(2).payload
    with pytest.raises(UnexpectedResponse) as raised:
        client.http.points_api.get_point(collection, 7)
    assert raised.value.status_code == 404


def test_query_ranks_the_nearest_points_first(client: QdrantClient, collection: str) -> None:
    fill(client, collection, 12)

    found = client.query_points(collection, query=[1.0, 0.0, 0.0, 0.0], limit=3).points

    assert [point.id for point in found] == [0, 1, 2]
    assert found[0].score > found[1].score > found[2].score
    assert found[0].payload == track(0).payload  # qdrant-client asks for the payload by default


def test_query_pages_with_offset_and_answers_no_payload_unless_asked(
    endpoint: StandaloneEndpoint, client: QdrantClient, collection: str
) -> None:
    fill(client, collection, 12)

    body = {"query": [1.0, 0.0, 0.0, 0.0], "limit": 3, "offset": 3}
    page = httpx.post(f"{endpoint.url}/collections/{collection}/points/query", json=body).json()["result"]["points"]

    assert [point["id"] for point in page] == [3, 4, 5]
    assert all("payload" not in point for point in page)  # Qdrant's default for /points/query


def test_query_filters_by_payload(client: QdrantClient, collection: str) -> None:
    fill(client, collection, 12)
    query = [1.0, 0.0, 0.0, 0.0]

    def ids(query_filter: models.Filter) -> list[int]:
        found = client.query_points(collection, query=query, query_filter=query_filter, limit=20).points
        return [point.id for point in found]

    rock = models.FieldCondition(key="genre", match=models.MatchValue(value="rock"))
    jazz_or_pop = models.FieldCondition(key="genre", match=models.MatchAny(any=["jazz", "pop"]))
    nineties_late = models.FieldCondition(key="year", range=models.Range(gte=1995, lt=2000))
    assert ids(models.Filter(must=[rock])) == [0, 3, 6, 9]
    assert ids(models.Filter(must=[jazz_or_pop], must_not=[nineties_late])) == [1, 2, 4, 10, 11]
    assert ids(models.Filter(should=[rock, nineties_late])) == [0, 3, 5, 6, 7, 8, 9]
    assert ids(models.Filter(must=[rock, nineties_late])) == [6, 9]


def test_search_answers_qdrants_older_api_with_filters(
    endpoint: StandaloneEndpoint, client: QdrantClient, collection: str
) -> None:
    """qdrant-client 1.20 sends /points/query; curl and older clients still POST /points/search."""
    fill(client, collection, 12)
    body = {
        "vector": [1.0, 0.0, 0.0, 0.0],
        "filter": {"must": [{"key": "genre", "match": {"value": "jazz"}}]},
        "limit": 2,
        "with_payload": ["title"],
    }

    response = httpx.post(f"{endpoint.url}/collections/{collection}/points/search", json=body)

    assert response.status_code == 200, response.text
    found = response.json()["result"]
    assert [(point["id"], point["payload"]) for point in found] == [
        (1, {"title": "track 1"}),
        (4, {"title": "track 4"}),
    ]


def test_scroll_pages_through_every_point_once(client: QdrantClient, collection: str) -> None:
    fill(client, collection, 25)
    seen: list[int] = []
    offset = None
    pages = 0

    while True:
        points, offset = client.scroll(collection, limit=10, offset=offset)
        seen.extend(point.id for point in points)
        pages += 1
        if offset is None:
            break

    assert pages == 3
    assert seen == list(range(25))


def test_scroll_and_count_take_a_filter(client: QdrantClient, collection: str) -> None:
    fill(client, collection, 25)
    pop = models.Filter(must=[models.FieldCondition(key="genre", match=models.MatchValue(value="pop"))])

    points, _ = client.scroll(collection, scroll_filter=pop, limit=100)

    assert [point.id for point in points] == list(range(2, 25, 3))
    assert client.count(collection, count_filter=pop).count == 8
    assert client.count(collection).count == 25


def test_points_are_deleted_by_id_and_by_filter(client: QdrantClient, collection: str) -> None:
    fill(client, collection, 12)

    client.delete(collection, points_selector=models.PointIdsList(points=[0, 1]))
    client.delete(
        collection,
        points_selector=models.FilterSelector(
            filter=models.Filter(must=[models.FieldCondition(key="year", range=models.Range(gte=2000))])
        ),
    )

    remaining, _ = client.scroll(collection, limit=100)
    assert [point.id for point in remaining] == list(range(2, 10))


# What the endpoint does not do, and bad input


def test_an_operation_the_endpoint_does_not_serve_answers_501_naming_it(
    endpoint: StandaloneEndpoint, client: QdrantClient, collection: str
) -> None:
    with pytest.raises(UnexpectedResponse) as raised:
        client.create_payload_index(collection, "genre", models.PayloadSchemaType.KEYWORD)
    assert raised.value.status_code == 501
    assert "create_field_index" in raised.value.content.decode()

    unknown = httpx.post(f"{endpoint.url}/collections/{collection}/teleport", json={})
    assert unknown.status_code == 501
    assert f"POST /collections/{collection}/teleport" in error_of(unknown)


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "says"),
    [
        ("PUT", "/collections/{c}", b"{not json", 400, "Format error in JSON body"),
        ("PUT", "/collections/{c}/points", b'{"points": [{"id": 1}]}', 400, "points.0.vector"),
        ("PUT", "/collections/{c}/points", b'{"points": [{"id": 1, "vector": [1, 2]}]}', 400, "expected dim: 4"),
        ("PUT", "/collections/{c}/points", b'{"points": [{"id": -1, "vector": [1, 0, 0, 0]}]}', 400, "point ID"),
        ("PUT", "/collections/{c}/points", b'{"points": [{"id": "abc", "vector": [1, 0, 0, 0]}]}', 400, "point ID"),
        ("POST", "/collections/{c}/points", b'{"ids": [1], "extra": true}', 400, "extra"),
        ("GET", "/collections/{c}/points/not-an-id", b"", 400, "point ID"),
        ("POST", "/collections/{c}/points/query", b'{"query": [1, 0]}', 400, "Wrong input"),
        ("POST", "/collections/{c}/points/query", b'{"query": [1, 0, 0, 0], "limit": 0}', 400, "limit"),
        ("POST", "/collections/{c}/points/query", b'{"query": [1, 0, 0, 0], "using": "lyrics"}', 400, "lyrics"),
        ("POST", "/collections/{c}/points/query", b'{"query": {"text": "hi", "model": "m"}}', 400, "Wrong input"),
        ("POST", "/collections/{c}/points/search", b'{"vector": [1, 0, 0, 0]}', 400, "limit"),
        ("POST", "/collections/{c}/points/scroll", b'{"filter": {"must": [{"key": 3}]}}', 400, "Format error"),
        ("POST", "/collections/{c}/points/delete", b'{"points": [1], "filter": {}}', 400, "Format error"),
        ("POST", "/collections/{c}/points/delete", b"", 400, "needs a JSON body"),
        ("POST", "/collections/missing/points/count", b"{}", 404, "Collection `missing` doesn't exist"),
        ("GET", "/collections/missing", b"", 404, "Collection `missing` doesn't exist"),
    ],
)
def test_bad_input_answers_4xx_in_qdrants_error_shape(
    endpoint: StandaloneEndpoint, collection: str, method: str, path: str, body: bytes, status: int, says: str
) -> None:
    url = endpoint.url + path.format(c=collection)
    response = httpx.request(method, url, content=body, headers={"content-type": "application/json"})

    assert response.status_code == status, response.text
    assert says in error_of(response)


# Why the endpoint exists: several processes share one store


WRITER = textwrap.dedent(
    """
    import sys
    from qdrant_client import QdrantClient, models

    url, first = sys.argv[1], int(sys.argv[2])
    client = QdrantClient(url=url, prefer_grpc=False, check_compatibility=False)
    ids = range(first, first + 200)
    points = [models.PointStruct(id=n, vector=[1.0, n, 0, 0], payload={"writer": first}) for n in ids]
    for start in range(0, len(points), 10):
        client.upsert("shared", points[start : start + 10])
    """
)


def test_two_client_processes_write_to_one_collection_at_once(
    endpoint: StandaloneEndpoint, client: QdrantClient
) -> None:
    client.create_collection("shared", vectors_config=models.VectorParams(size=SIZE, distance=models.Distance.COSINE))
    try:
        writers = [
            subprocess.Popen([sys.executable, "-c", WRITER, endpoint.url, str(first)], stderr=subprocess.PIPE)
            for first in (0, 1000)
        ]
        for writer in writers:
            _, errors = writer.communicate(timeout=120)
            assert writer.returncode == 0, errors.decode()

        assert client.count("shared").count == 400
        for first in (0, 1000):
            written = models.Filter(must=[models.FieldCondition(key="writer", match=models.MatchValue(value=first))])
            points, _ = client.scroll("shared", scroll_filter=written, limit=1000)
            assert sorted(point.id for point in points) == list(range(first, first + 200))
    finally:
        client.delete_collection("shared")


# make up's wiring


def test_make_up_serves_the_endpoint_on_loopback_and_keeps_points_across_a_restart(tmp_path: Path) -> None:
    first = start_cloud(tmp_path / "state", persist=True)
    try:
        settings = first.settings
        assert f"Qdrant         {settings.qdrant_url}" in first.log()
        assert listening_on(settings.qdrant_port) == [f"127.0.0.1:{settings.qdrant_port}"]
        # No background version check: it could still be under way when the cloud stops.
        writer = QdrantClient(url=settings.qdrant_url, prefer_grpc=False, check_compatibility=False)
        assert writer.info().version == importlib.metadata.version("qdrant-client")
        writer.create_collection("kept", vectors_config=models.VectorParams(size=SIZE, distance=models.Distance.COSINE))
        writer.upsert("kept", [track(number) for number in range(5)])
        writer.close()
    finally:
        assert first.stop() == 0
    assert (tmp_path / "state" / "qdrant").is_dir()

    second = start_cloud(tmp_path / "state", persist=True)
    try:
        reader = QdrantClient(url=second.settings.qdrant_url, prefer_grpc=False, check_compatibility=False)
        assert reader.count("kept").count == 5
        nearest = reader.query_points("kept", query=[1.0, 0.0, 0.0, 0.0], limit=1).points
        assert [(point.id, point.payload) for point in nearest] == [(0, track(0).payload)]
        reader.close()
    finally:
        second.stop()


def listening_on(port: int) -> list[str]:
    listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=True).stdout
    return [line.split()[3] for line in listening.splitlines() if line.split()[3].endswith(f":{port}")]
