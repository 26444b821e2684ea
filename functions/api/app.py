"""Conveyor's HTTP API: one REST API, one function, a router per product.

Validation and the OpenAPI document come from Powertools' resolver: a bad body
is answered 422 with the field that is wrong. The document is served at
/openapi.json and a Swagger UI at /swagger.
"""

from __future__ import annotations

from typing import Any

import job_routes
import task_routes
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from conveyor.http import rest_api

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = rest_api("Conveyor API")
app.include_router(task_routes.router)
app.include_router(job_routes.router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
