"""What each library-ingestion function reads from its environment (stacks/library-ingestion.yaml
sets it; the root stack sets the GraphQL function's). A missing or malformed variable fails
the cold start, naming it.

    function     variables
    graphql      LIBRARY_TABLE, TASKS_TABLE, TRACK_INGESTION_QUEUE_URL, QDRANT_*, CATALOG_*, EMBEDDING_PROVIDER
    intake       FLOW_NAME, TASKS_TABLE, FLOW_TABLE, DISPATCH_QUEUE_URL, DLQ_URL, IDEMPOTENCY_WINDOW_SECONDS
    steps        TASKS_TABLE, QDRANT_*, CATALOG_*, LYRICS_URL, EMBEDDING_PROVIDER
    collection   QDRANT_*, EMBEDDING_PROVIDER (the custom resource that creates the collection)
"""

from __future__ import annotations

from typing import Literal

from conveyor.core.settings import EnvironmentSettings, env
from conveyor.durable.flow import FlowSettings


class IndexSettings(EnvironmentSettings):
    # qdrant-client's default, as the seed's; the template always sets it (the QdrantUrl parameter).
    qdrant_url: str = env("QDRANT_URL", "http://127.0.0.1:6333", min_length=1)
    qdrant_collection: str = env("QDRANT_COLLECTION", "tracks", pattern=r"^[A-Za-z0-9_-]{1,255}$")
    # An SSM parameter name or a Secrets Manager secret ARN holding the API key; empty: none.
    qdrant_api_key_source: str = env("QDRANT_API_KEY_SOURCE", "")
    qdrant_timeout_seconds: int = env("QDRANT_TIMEOUT_SECONDS", 10, ge=1, le=60)


class EmbeddingSettings(EnvironmentSettings):
    embedding_provider: Literal["wordllama", "bedrock-titan-v2"] = env("EMBEDDING_PROVIDER", "wordllama")


class CatalogSettings(EnvironmentSettings):
    # Empty: the fixture catalog shipped with the package.
    catalog_url: str = env("CATALOG_URL", "", pattern=r"^(https?://\S+)?$")
    catalog_timeout_seconds: float = env("CATALOG_TIMEOUT_SECONDS", 5, gt=0, le=60)
    # Empty: the catalog's own (GET {CATALOG_URL}/lyrics/{isrc}, or the fixture's lyrics).
    lyrics_url: str = env("LYRICS_URL", "", pattern=r"^(https?://\S+)?$")


class GraphqlSettings(IndexSettings, EmbeddingSettings, CatalogSettings):
    library_table: str = env("LIBRARY_TABLE", min_length=1)
    tasks_table: str = env("TASKS_TABLE", min_length=1)
    ingestion_queue_url: str = env("TRACK_INGESTION_QUEUE_URL", min_length=1)


class IntakeSettings(FlowSettings):
    dlq_url: str = env("DLQ_URL", min_length=1)
    # The same ISRC requested again inside this window runs nothing new (from any album or user).
    idempotency_window_seconds: int = env("IDEMPOTENCY_WINDOW_SECONDS", 86400, ge=1)


class StepSettings(IndexSettings, EmbeddingSettings, CatalogSettings):
    tasks_table: str = env("TASKS_TABLE", min_length=1)


class CollectionSettings(IndexSettings, EmbeddingSettings):
    pass
