"""Shared pieces of the HTTP APIs built on Powertools' REST resolver."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError


def rest_api(title: str) -> APIGatewayRestResolver:
    """A validating resolver with its OpenAPI document at /openapi.json and Swagger UI at /swagger."""
    app = APIGatewayRestResolver(enable_validation=True)
    app.enable_swagger(path="/swagger", title=title)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document() -> Response[str]:
        schema = app.get_openapi_json_schema()
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=schema)

    @app.exception_handler(RequestValidationError)
    def unprocessable(error: RequestValidationError) -> Response[dict[str, Any]]:
        # Powertools drops `msg` by default; ours are the models' own messages
        # ("Input should be less than or equal to 600"), safe and useful to show.
        detail = [{"loc": list(e["loc"]), "type": e["type"], "msg": e.get("msg", "")} for e in error.errors()]
        return Response(
            status_code=422, content_type=content_types.APPLICATION_JSON, body={"statusCode": 422, "detail": detail}
        )

    return app
