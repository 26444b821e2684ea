"""The custom resource `Custom::QdrantCollection`: creates the index's collection on deploy
with the embedding's size and cosine distance (`library_ingestion.collection`).

It always answers CloudFormation (a stack waits for an answer that never comes until the
resource's ServiceTimeout): any failure, its configuration's included, is answered FAILED
with its reason, which the stack's events show. So the resource is built in the handler.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from conveyor.core.aws import AwsClients
from conveyor.core.errors import error_details
from library_ingestion import wiring
from library_ingestion.collection import CollectionResource, respond
from library_ingestion.settings import CollectionSettings

logger = Logger()


@cache
def collection_resource() -> CollectionResource:
    aws = AwsClients()
    settings = CollectionSettings.from_environment()
    return CollectionResource(wiring.track_index(settings, aws), wiring.embeddings(settings, aws))


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> None:
    request_type = event["RequestType"]
    if request_type == "Delete":  # the points are kept: nothing to reach Qdrant for
        respond(event, "SUCCESS", event["PhysicalResourceId"])
        return
    try:
        resource = collection_resource()
        data = resource.ensure()
    except Exception as error:
        logger.exception("collection not ensured", extra={"requestType": request_type})
        details = error_details(error)
        # Keeping the physical id of a failed update makes CloudFormation roll back to it, not replace it.
        physical_id = event.get("PhysicalResourceId") or f"failed-{event['RequestId']}"
        respond(event, "FAILED", physical_id, reason=f"{details['type']}: {details['message']}")
        return
    logger.info("collection ensured", extra={"requestType": request_type, **data})
    respond(event, "SUCCESS", resource.physical_id, data)
