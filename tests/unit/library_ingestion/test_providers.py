"""The catalog (fixture and HTTP, ISRCs by chunks of 20), lyrics, and embeddings offline."""

from __future__ import annotations

import io
import json
import math
import socket
from pathlib import Path

import botocore.session
import pytest
import wordllama
from botocore.stub import Stubber

from conveyor.core.errors import PermanentError, TransientError
from library_ingestion.isrc import InvalidIsrc, normalize_isrc
from library_ingestion.providers.catalog import TRACKS_PER_REQUEST, AlbumNotInCatalog, fetch_isrcs
from library_ingestion.providers.embeddings import BedrockTitanEmbeddings, WordLlamaEmbeddings
from library_ingestion.providers.fixture import FixtureCatalog
from library_ingestion.providers.http import HttpCatalog, HttpLyrics

from ...library_catalog import CatalogServer, album
from .conftest import EMBEDDINGS

FIXTURE = FixtureCatalog.from_file()


def test_the_fixture_catalog_has_what_the_scheduling_rules_need() -> None:
    listings = {album_id: FIXTURE.album_tracks(album_id) for album_id in ("alb-harbour-lights", "alb-static-bloom")}
    harbour = FIXTURE.track_isrcs([track.track_id for track in listings["alb-harbour-lights"]])
    assert len(harbour) == 12 and sum(isrc is None for isrc in harbour.values()) == 1
    static = FIXTURE.track_isrcs([track.track_id for track in listings["alb-static-bloom"]])
    problems = []
    for isrc in static.values():
        try:
            normalize_isrc(isrc)
        except InvalidIsrc as invalid:
            problems.append(invalid.problem.value)
    assert problems == ["invalid_isrc", "invalid_isrc"]  # hyphenated, too short
    assert "zzcnv2400104" in static.values()  # valid once upper-cased
    assert len(FIXTURE.album_tracks("alb-forty-five-rooms")) == 45 > TRACKS_PER_REQUEST
    assert len(FIXTURE.album_tracks("alb-century")) == 100
    assert FIXTURE.lyrics("ZZCNV2100005") is None  # an instrumental
    assert "lighthouse" in (FIXTURE.lyrics("ZZCNV2100004") or "")


def test_a_catalog_refuses_more_than_twenty_tracks_a_request_and_fetch_isrcs_asks_in_chunks() -> None:
    ids = [track.track_id for track in FIXTURE.album_tracks("alb-forty-five-rooms")]
    with pytest.raises(ValueError, match="at most 20"):
        FIXTURE.track_isrcs(ids[:21])
    with CatalogServer(FIXTURE) as server:
        isrcs = fetch_isrcs(HttpCatalog(server.url), ids)
        batches = server.hits("/tracks?")
    assert len(isrcs) == 45 and all(isrcs.values())
    assert len(batches) == 3
    sizes = [len(batch.split("ids=")[1].split("%2C")) for batch in batches]
    assert sizes == [20, 20, 5]


def test_the_http_catalog_reads_listings_isrcs_metadata_and_lyrics() -> None:
    new_album, tracks = album("http", 3, missing_isrc=[2], lyrics={3: None})
    with CatalogServer(FixtureCatalog({})) as server:
        server.add_album(new_album, tracks)
        catalog, lyrics = HttpCatalog(server.url), HttpLyrics(server.url)
        listed = catalog.album_tracks(new_album["albumId"])
        isrcs = catalog.track_isrcs([track.track_id for track in listed])
        first = catalog.track_by_isrc(tracks[0]["isrc"])
        assert [track.position for track in listed] == [1, 2, 3]
        assert list(isrcs.values()) == [tracks[0]["isrc"], None, tracks[2]["isrc"]]
        assert first is not None and (first.title, first.album) == ("Http 1", "Http")
        assert catalog.track_by_isrc("ZZNOSUCHONE1") is None
        assert lyrics.lyrics(tracks[0]["isrc"]) == "verse 1 of http, a song about counting"
        assert lyrics.lyrics(tracks[2]["isrc"]) is None  # no lyrics: not a failure
        with pytest.raises(AlbumNotInCatalog):
            catalog.album_tracks("alb-nope")
        assert catalog.name == server.url.removeprefix("http://")


@pytest.mark.parametrize(("status", "error"), [(503, TransientError), (429, TransientError), (403, PermanentError)])
def test_statuses_become_the_core_errors(status: int, error: type[Exception]) -> None:
    with CatalogServer(FIXTURE) as server:
        server.fail("/tracks/isrc/ZZCNV2100001", status)
        with pytest.raises(error, match=f"HTTP {status}"):
            HttpCatalog(server.url).track_by_isrc("ZZCNV2100001")
        assert HttpCatalog(server.url).track_by_isrc("ZZCNV2100001") is not None  # the next one answers


def test_an_unreachable_catalog_is_transient() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    with pytest.raises(TransientError):
        HttpCatalog(url, timeout_seconds=1).album_tracks("alb-harbour-lights")


def test_an_answer_in_another_shape_is_permanent() -> None:
    class Other(CatalogServer):
        def answer(self, target: str) -> tuple[int, object]:
            return 200, {"items": []}

    with Other() as server, pytest.raises(PermanentError, match="expected shape"):
        HttpCatalog(server.url).album_tracks("alb-1")


def test_wordllama_ships_its_weights_and_embeds_offline_in_256_unit_dimensions() -> None:
    package = Path(wordllama.__file__).parent
    assert (package / "weights" / "l2_supercat_256.safetensors").is_file()
    assert (package / "tokenizers" / "l2_supercat_tokenizer_config.json").is_file()
    vectors = EMBEDDINGS.embed(["a lantern on the breakwater", "a lantern on the breakwater", "tax forms"])
    assert EMBEDDINGS.dimensions == 256 and all(len(vector) == 256 for vector in vectors)
    assert all(math.isclose(sum(v * v for v in vector), 1.0, rel_tol=1e-4) for vector in vectors)
    assert vectors[0] == vectors[1] != vectors[2]


def test_weights_the_wheel_does_not_ship_fail_at_once_by_name_instead_of_downloading() -> None:
    with pytest.raises(FileNotFoundError, match="l2_supercat_1024.safetensors.*downloads are disabled"):
        WordLlamaEmbeddings(dimensions=1024).embed(["x"])


def test_bedrock_titan_gives_the_vectors_of_its_answer_and_the_core_errors() -> None:
    client = botocore.session.get_session().create_client("bedrock-runtime", region_name="us-east-1")
    embeddings = BedrockTitanEmbeddings(client)
    vector = [0.0625] * 256
    with Stubber(client) as stub:
        stub.add_response(
            "invoke_model",
            {"body": io.BytesIO(json.dumps({"embedding": vector}).encode()), "contentType": "application/json"},
            {
                "modelId": "amazon.titan-embed-text-v2:0",
                "body": json.dumps({"inputText": "a song", "dimensions": 256, "normalize": True}),
                "contentType": "application/json",
            },
        )
        stub.add_client_error("invoke_model", "ThrottlingException")
        stub.add_client_error("invoke_model", "ValidationException")
        assert embeddings.embed(["a song"]) == [vector]
        with pytest.raises(TransientError):
            embeddings.embed(["again"])
        with pytest.raises(PermanentError):
            embeddings.embed(["too long"])
    assert (embeddings.name, embeddings.dimensions) == ("bedrock-titan-v2-256", 256)
