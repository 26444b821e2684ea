"""The providers and the index, built from settings: what every composition root of the
workload shares."""

from __future__ import annotations

from conveyor.core.aws import AwsClients
from library_ingestion.index import TrackIndex, api_key, connect
from library_ingestion.providers.catalog import CatalogProvider
from library_ingestion.providers.embeddings import BedrockTitanEmbeddings, EmbeddingProvider, WordLlamaEmbeddings
from library_ingestion.providers.fixture import FixtureCatalog
from library_ingestion.providers.http import HttpCatalog, HttpLyrics
from library_ingestion.providers.lyrics import LyricsProvider
from library_ingestion.settings import CatalogSettings, EmbeddingSettings, IndexSettings


def track_index(settings: IndexSettings, aws: AwsClients) -> TrackIndex:
    key = api_key(settings.qdrant_api_key_source, aws)
    return TrackIndex(connect(settings.qdrant_url, key, settings.qdrant_timeout_seconds), settings.qdrant_collection)


def catalog(settings: CatalogSettings) -> CatalogProvider:
    if settings.catalog_url:
        return HttpCatalog(settings.catalog_url, settings.catalog_timeout_seconds)
    return FixtureCatalog.from_file()


def catalog_and_lyrics(settings: CatalogSettings) -> tuple[CatalogProvider, LyricsProvider]:
    """Lyrics at LYRICS_URL, else at the catalog's URL; with neither, the fixture catalog's own."""
    url = settings.lyrics_url or settings.catalog_url
    if url:
        return catalog(settings), HttpLyrics(url, settings.catalog_timeout_seconds)
    fixture = FixtureCatalog.from_file()
    return fixture, fixture


def embeddings(settings: EmbeddingSettings, aws: AwsClients) -> EmbeddingProvider:
    if settings.embedding_provider == "bedrock-titan-v2":
        return BedrockTitanEmbeddings(aws.client("bedrock-runtime"))
    return WordLlamaEmbeddings()
