"""Conveyor's GraphQL API: `POST /graphql` on the REST API, the workloads' schemas composed.

Each workload with a GraphQL part gives a `GraphqlModule` (its SDL file and resolvers);
this composition root builds them once per cold start from the environment the root
stack gives the function.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from conveyor.core.aws import AwsClients
from conveyor.core.rest import rest_api
from conveyor.graphql.http import graphql_router
from conveyor.graphql.schema import compose
from evaluation.api import EvaluationApi
from library_ingestion.graphql import LibraryGraphql

logger = Logger()
tracer = Tracer()
metrics = Metrics()

aws = AwsClients()
evaluation = EvaluationApi.from_environment(aws)
library = LibraryGraphql.from_environment(aws)

app = rest_api("Conveyor GraphQL API")
app.include_router(graphql_router(compose(library.module(), evaluation.module())))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
