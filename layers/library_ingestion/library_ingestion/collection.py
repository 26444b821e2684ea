"""The index's collection, created on deploy by a CloudFormation custom resource
(`Custom::QdrantCollection` in stacks/library-ingestion.yaml).

Why a custom resource, rather than an idempotent create at first use: the collection then
exists, with the embedding's size and cosine distance, before any handler runs; a Qdrant
that is unreachable or holds the collection with another vector size fails the deploy with
the reason, instead of the first ingestions; and the same template does it on the local
cloud (MiniStack invokes the function and waits for its answer at the ResponseURL), on
LocalStack and on AWS.

    Create, Update  create the collection unless it exists; fail if it exists with another size
    Delete          nothing: the points are the ingestions' work (the stack keeps them, like its tables)

The answer is PUT to the event's ResponseURL (a presigned S3 URL on AWS), as CloudFormation expects.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from library_ingestion.index import TrackIndex
from library_ingestion.providers.embeddings import EmbeddingProvider


class CollectionResource:
    def __init__(self, index: TrackIndex, embeddings: EmbeddingProvider) -> None:
        self._index = index
        self._embeddings = embeddings

    @property
    def physical_id(self) -> str:
        return f"qdrant-collection-{self._index.collection}"

    def ensure(self) -> dict[str, Any]:
        """Create or Update: the collection made sure of; the resource's attributes (Fn::GetAtt)."""
        return {
            "CollectionName": self._index.collection,
            "VectorSize": self._embeddings.dimensions,
            "Distance": "Cosine",
            "Embedding": self._embeddings.name,
            "Outcome": self._index.ensure_collection(self._embeddings.dimensions),
        }


def respond(
    event: dict[str, Any], status: str, physical_id: str, data: dict[str, Any] | None = None, reason: str = ""
) -> None:
    """PUT the custom resource's answer to CloudFormation."""
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:3000] or status,
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": data or {},
        }
    ).encode()
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT", headers={"content-type": "", "content-length": str(len(body))}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
