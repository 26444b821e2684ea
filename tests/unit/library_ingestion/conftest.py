"""moto with what library ingestion runs on (the durable engine's tables from template.yaml,
the library table from stacks/library-ingestion.yaml, the track-ingestion queue and its DLQ),
a Qdrant index in qdrant-client's in-memory local mode, and the scheduling log captured."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from aws_lambda_powertools import Logger
from qdrant_client import QdrantClient

from conveyor.core.aws import AwsClients
from conveyor.durable.store import TaskStore
from library_ingestion.index import TrackIndex
from library_ingestion.ingestion_queue import IngestionQueue
from library_ingestion.library import LibraryStore
from library_ingestion.providers.embeddings import WordLlamaEmbeddings
from library_ingestion.scheduling_log import SchedulingLog

from ...template_resources import PROJECT_DIR, create_table
from ..conftest import REGION, DurableResources

LIBRARY_TEMPLATE = PROJECT_DIR / "stacks" / "library-ingestion.yaml"
COLLECTION = "tracks"


@dataclass
class LibraryResources:
    durable: DurableResources
    library_table: str
    queue_url: str
    dlq_url: str
    qdrant: QdrantClient
    aws: AwsClients

    @property
    def index(self) -> TrackIndex:
        return TrackIndex(self.qdrant, COLLECTION)

    @property
    def store(self) -> LibraryStore:
        return LibraryStore(self.aws.table(self.library_table))

    @property
    def tasks(self) -> TaskStore:
        return TaskStore(self.aws.table(self.durable.tasks_table))

    @property
    def queue(self) -> IngestionQueue:
        return IngestionQueue(self.aws.client("sqs"), self.queue_url)

    def requests(self) -> list[dict[str, Any]]:
        """Every track/ingestion.requested message on the queue now (consumed)."""
        sqs, found = self.aws.client("sqs"), []
        while True:
            messages = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return found
            found.extend(json.loads(message["Body"]) for message in messages)
            for message in messages:
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture
def library(durable: DurableResources, monkeypatch: pytest.MonkeyPatch) -> Iterator[LibraryResources]:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    qdrant = QdrantClient(location=":memory:")
    resources = LibraryResources(
        durable=durable,
        library_table=create_table(dynamodb, "LibraryTable", path=LIBRARY_TEMPLATE),
        queue_url=sqs.create_queue(QueueName="track-ingestion")["QueueUrl"],
        dlq_url=sqs.create_queue(QueueName="track-ingestion-dlq")["QueueUrl"],
        qdrant=qdrant,
        aws=AwsClients(),
    )
    resources.index.ensure_collection(EMBEDDINGS.dimensions)
    for name, value in {
        "FLOW_NAME": "track-ingestion",
        "LIBRARY_TABLE": resources.library_table,
        "TRACK_INGESTION_QUEUE_URL": resources.queue_url,
        "DLQ_URL": resources.dlq_url,
        "QDRANT_URL": ":memory:",
    }.items():
        monkeypatch.setenv(name, value)
    yield resources
    qdrant.close()


# One model for the whole run: loading it is the slow part (~0.25 s), embedding is not.
EMBEDDINGS = WordLlamaEmbeddings()


class CapturedLog:
    """The scheduling log's lines, as JSON objects."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        # Loggers of one service share their handler: a service of its own writes to this stream only.
        self.log = SchedulingLog(Logger(service=f"library-test-{uuid.uuid4().hex}", stream=self.stream))

    def lines(self, event: str | None = None) -> list[dict[str, Any]]:
        lines = [json.loads(line) for line in self.stream.getvalue().splitlines() if line.strip()]
        return [line for line in lines if event is None or line.get("event") == event]


@pytest.fixture
def captured() -> CapturedLog:
    return CapturedLog()
