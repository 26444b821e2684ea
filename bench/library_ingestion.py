"""Figures of library ingestion on the local cloud, through `POST /graphql` with the developer token:

    .venv/bin/python bench/library_ingestion.py [--points 10000] [--queries 200]

1. `addAlbumToLibrary` of the fixture catalog's 100-track album: the mutation's latency as
   the client sees it (the catalog's listing, its ISRCs by 20, one existence check in the
   index, 100 ingestion requests), then the time until all 100 tracks are points in the
   index, and tracks indexed per second.
2. `searchTracks` p50 / p99 once the collection holds `--points` points (the album's, and
   the rest written straight to the index with random vectors of the collection's size).

A fresh local cloud on free ports, with the template's defaults. Prints figures.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from figures import GraphqlClient, summary, wait_until
from qdrant_client import QdrantClient, models

from localcloud import runner

ALBUM = {"albumId": "alb-century", "title": "Century", "artist": "The Hundred"}
TRACKS = 100
ADD_ALBUM = "mutation($input: AddAlbumInput!) { addAlbumToLibrary(input: $input) { albumId tracks { isrc } } }"
SEARCH = "query($q: String!) { searchTracks(query: $q, limit: 10) { score pointId } }"
COLLECTION = "tracks"
QUERIES = ["a lantern on the breakwater", "rain over the city at night", "dancing until morning", "an old love song"]


def add_album(gql: GraphqlClient, index: QdrantClient) -> tuple[float, float]:
    """(ms to answer addAlbumToLibrary, s until its 100 tracks are points)."""
    started = time.perf_counter()
    gql(ADD_ALBUM, input=ALBUM)
    answered = time.perf_counter()
    wait_until(lambda: index.count(COLLECTION, exact=True).count >= TRACKS, timeout=900, interval=0.5)
    return (answered - started) * 1000, time.perf_counter() - started


def fill(index: QdrantClient, points: int) -> None:
    size = index.get_collection(COLLECTION).config.params.vectors.size
    [album_point] = index.scroll(COLLECTION, limit=1, with_payload=True)[0]
    rng = random.Random(8)
    missing = points - index.count(COLLECTION, exact=True).count
    for start in range(0, missing, 500):
        batch = [
            models.PointStruct(
                id=rng.getrandbits(63),
                vector=[rng.uniform(-1, 1) for _ in range(size)],
                payload={**album_point.payload, "isrc": f"ZZBENCH{start + i:05d}", "title": f"filler {start + i}"},
            )
            for i in range(min(500, missing - start))
        ]
        index.upsert(COLLECTION, batch, wait=True)


def search_latency(gql: GraphqlClient, queries: int) -> list[float]:
    for query in QUERIES:
        gql(SEARCH, q=query)  # warm the function's workers and the embedding
    timings = []
    for number in range(queries):
        started = time.perf_counter()
        gql(SEARCH, q=QUERIES[number % len(QUERIES)])
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="conveyor-bench-library-") as tmp:
        cloud = runner.start(Path(tmp))
        try:
            gql = GraphqlClient(cloud)
            index = QdrantClient(url=cloud.settings.qdrant_url, prefer_grpc=False, check_compatibility=False)
            answer_ms, indexed_s = add_album(gql, index)
            fill(index, args.points)
            searches = search_latency(gql, args.queries)
        finally:
            cloud.stop()
    print("Library ingestion on the local cloud, this machine")
    print(f"  {'addAlbumToLibrary, 100 tracks':<42}{answer_ms:7.0f} ms to answer")
    print(f"  {'its 100 tracks indexed':<42}{indexed_s:7.1f} s   ({TRACKS / indexed_s:.1f} tracks/s)")
    print(f"  {f'searchTracks at {args.points:,} points':<42}{summary(searches)}")


if __name__ == "__main__":
    main()
