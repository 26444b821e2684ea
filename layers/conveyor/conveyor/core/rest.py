"""The REST API's shared frame: one resolver, one error shape, one OpenAPI document.

Every error any route answers has the same body, `ErrorResponse`:

    {"statusCode": 404, "code": "NOT_FOUND", "message": "no task 'x'"}
    {"statusCode": 422, "code": "VALIDATION_ERROR", "message": "...", "detail": [{"loc": [...], ...}]}

Business code raises `conveyor.core.errors.Refusal`s (NotFound, Conflict, InvalidRequest);
this module answers them. An unexpected exception is logged and answered 500 without
its text: internal details never reach a client.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import Server
from pydantic import Field

from conveyor.core.auth import Caller
from conveyor.core.errors import Refusal
from conveyor.core.models import ApiModel

logger = Logger(child=True)

_CODE_OF_STATUS = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


class FieldError(ApiModel):
    loc: list[str | int] = Field(description="where the wrong value is: body, query or path, then the field")
    msg: str
    type: str


class ErrorResponse(ApiModel):
    status_code: int
    code: str = Field(description="NOT_FOUND, CONFLICT, VALIDATION_ERROR, BAD_REQUEST, ...")
    message: str
    field: str | None = Field(None, description="the input that is wrong, when one is")
    detail: list[FieldError] | None = Field(None, description="each wrong field (422)")


def error_response(status: int, message: str, *, code: str | None = None, **extra: Any) -> Response[dict[str, Any]]:
    body = ErrorResponse(
        status_code=status, code=code or _CODE_OF_STATUS.get(status, "ERROR"), message=message, **extra
    )
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump(exclude_none=True),
    )


def error_responses(*statuses: int) -> dict[int | str, Any]:
    """OpenAPI `responses` entries for the error statuses a route answers, all in ErrorResponse's shape."""
    return {
        status: {
            "description": _CODE_OF_STATUS.get(status, "error"),
            "content": {"application/json": {"model": ErrorResponse}},
        }
        for status in statuses
    }


def caller(route_owner: Any) -> Caller:
    """The verified caller of the request a resolver or router is answering."""
    return Caller.from_event(route_owner.current_event.raw_event)


def rest_api(title: str, description: str = "") -> APIGatewayRestResolver:
    """A validating resolver: OpenAPI at /openapi.json, Swagger UI at /swagger, errors in one shape."""
    app = APIGatewayRestResolver(enable_validation=True)
    app.enable_swagger(path="/swagger", title=title, description=description)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document() -> Response[str]:
        schema = app.get_openapi_json_schema(title=title, description=description, servers=[_server(app)])
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=schema)

    @app.exception_handler(RequestValidationError)
    def unprocessable(error: RequestValidationError) -> Response[dict[str, Any]]:
        # Powertools drops `msg` by default; ours are the models' own messages
        # ("Input should be less than or equal to 600"), safe and useful to show.
        detail = [FieldError(loc=list(e["loc"]), type=e["type"], msg=e.get("msg", "")) for e in error.errors()]
        summary = "; ".join(f"{'.'.join(map(str, d.loc))}: {d.msg}" for d in detail[:5])
        return error_response(422, summary or "the request is not valid", detail=detail)

    @app.exception_handler(Refusal)
    def refused(error: Refusal) -> Response[dict[str, Any]]:
        return error_response(error.http_status, str(error), code=error.code, field=error.field)

    @app.exception_handler(ServiceError)
    def service_error(error: ServiceError) -> Response[dict[str, Any]]:
        return error_response(error.status_code, error.msg)

    @app.not_found
    def no_route(_: Exception) -> Response[dict[str, Any]]:
        return error_response(404, f"no route {app.current_event.http_method} {app.current_event.path}")

    @app.exception_handler(Exception)
    def unexpected(error: Exception) -> Response[dict[str, Any]]:
        logger.exception("unexpected error answering a request")
        return error_response(500, "internal error; the request id is in the logs", code="INTERNAL")

    return app


def _server(app: APIGatewayRestResolver) -> Server:
    """Where the API is, as the caller reached it: `/v1` on the stage URL, `/` on a custom domain
    (and on the local cloud's http://127.0.0.1:3000, which is served as one)."""
    context = app.current_event.request_context
    stage = context.stage
    if stage and stage != "$default" and (context.path or "").startswith(f"/{stage}"):
        return Server(url=f"/{stage}")
    return Server(url="/")
