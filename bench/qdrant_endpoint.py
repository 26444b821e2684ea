"""Figures of the Qdrant endpoint that `make up` serves, beside qdrant-client's local
mode called directly in this process (what the endpoint runs behind its HTTP).

    .venv/bin/python bench/qdrant_endpoint.py [--points 10000] [--queries 200]

For each storage (on disk, as `make up` keeps it, and in memory, LOCALCLOUD_PERSIST=0):
a fresh local cloud on free ports, a collection of 256-dimension cosine vectors with a
payload, upserted in batches of 100 (points per second), then `query_points` latency at
that size, limit 10, without a filter and with a payload filter (one genre of five and a
year range: about a tenth of the points match). The endpoint is reached with
qdrant-client in REST mode. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from figures import summary
from qdrant_client import QdrantClient, models

from localcloud import runner

DIMENSIONS = 256
BATCH = 100
GENRES = ("rock", "jazz", "pop", "folk", "soul")
COLLECTION = "bench-tracks"
FILTER = models.Filter(
    must=[
        models.FieldCondition(key="genre", match=models.MatchValue(value="jazz")),
        models.FieldCondition(key="year", range=models.Range(gte=1970, lt=2010)),
    ]
)


def batches(points: int, seed: int = 7) -> Iterator[list[models.PointStruct]]:
    random = np.random.default_rng(seed)
    for start in range(0, points, BATCH):
        vectors = random.random((min(BATCH, points - start), DIMENSIONS), dtype=np.float32)
        yield [
            models.PointStruct(
                id=start + offset,
                vector=vector.tolist(),
                payload={"genre": GENRES[(start + offset) % 5], "year": 1960 + (start + offset) % 80},
            )
            for offset, vector in enumerate(vectors)
        ]


def upsert_rate(client: QdrantClient, points: int) -> float:
    """Points per second, upserted in batches of 100 into a new collection (vectors made beforehand)."""
    prepared = list(batches(points))
    client.create_collection(COLLECTION, vectors_config=models.VectorParams(size=DIMENSIONS, distance="Cosine"))
    started = time.perf_counter()
    for batch in prepared:
        client.upsert(COLLECTION, batch)
    return points / (time.perf_counter() - started)


def query_latency(client: QdrantClient, queries: int, query_filter: models.Filter | None) -> list[float]:
    """Milliseconds per `query_points` (limit 10, payloads returned), after 5 warm-up queries."""
    random = np.random.default_rng(11)
    timings = []
    for index in range(queries + 5):
        vector = random.random(DIMENSIONS, dtype=np.float32).tolist()
        started = time.perf_counter()
        found = client.query_points(COLLECTION, query=vector, query_filter=query_filter, limit=10).points
        if index >= 5:
            timings.append((time.perf_counter() - started) * 1000)
        assert len(found) == 10
    return timings


@dataclass
class Figures:
    upsert: float  # points/s
    query: list[float]  # ms
    filtered: list[float]  # ms
    matching: int  # points the filter matches


def measure(client: QdrantClient, points: int, queries: int) -> Figures:
    return Figures(
        upsert=upsert_rate(client, points),
        query=query_latency(client, queries, None),
        filtered=query_latency(client, queries, FILTER),
        matching=client.count(COLLECTION, count_filter=FILTER).count,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    results: dict[tuple[str, str], Figures] = {}
    with tempfile.TemporaryDirectory(prefix="conveyor-bench-qdrant-") as tmp:
        for storage, persist in (("on disk", True), ("in memory", False)):
            cloud = runner.start(Path(tmp) / f"cloud-{storage}", persist=persist)
            try:
                remote = QdrantClient(url=cloud.settings.qdrant_url, prefer_grpc=False, check_compatibility=False)
                results[storage, "endpoint"] = measure(remote, args.points, args.queries)
                remote.close()
            finally:
                cloud.stop()
            local = QdrantClient(path=str(Path(tmp) / "direct")) if persist else QdrantClient(":memory:")
            results[storage, "local mode"] = measure(local, args.points, args.queries)
            local.close()

    print(f"Qdrant endpoint vs qdrant-client local mode, {args.points:,} points of {DIMENSIONS} dimensions")
    for (storage, via), figures in results.items():
        print(f"  {storage}, {via}")
        print(f"    {'upsert, batches of 100':<34}{figures.upsert:8.0f} points/s")
        print(f"    {'query, no filter':<34}{summary(figures.query)}")
        print(f"    {f'query, filter ({figures.matching} match)':<34}{summary(figures.filtered)}")


if __name__ == "__main__":
    main()
