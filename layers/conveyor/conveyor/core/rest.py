"""The REST API's shared frame: one resolver, one error shape, one OpenAPI document.

Every error any route answers has the same body, `ErrorResponse`:

    {"statusCode": 404, "code": "NOT_FOUND", "message": "no task 'x'"}
    {"statusCode": 422, "code": "VALIDATION_ERROR", "message": "...", "detail": [{"loc": [...], ...}]}

Business code raises `conveyor.core.errors.Refusal`s (NotFound, Conflict, InvalidRequest);
this module answers them, and a `TransientError` 503 (try again; its message is ours).
An unexpected exception is logged and answered 500 without its text: internal details
never reach a client. A body over `MAX_BODY_BYTES` is refused
413 and one nested deeper than `MAX_JSON_DEPTH` 422, before any route parses it.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.models import Server
from pydantic import Field

from conveyor.core.auth import Caller
from conveyor.core.errors import Refusal, TransientError
from conveyor.core.models import ApiModel

logger = Logger(child=True)

MAX_BODY_BYTES = 256 * 1024
MAX_JSON_DEPTH = 32

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
    app = APIGatewayRestResolver(enable_validation=True, json_body_deserializer=bounded_json)
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

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_media_type(error: RequestUnsupportedContentType) -> Response[dict[str, Any]]:
        content_type = app.current_event.headers.get("content-type", "")
        return error_response(415, f"a body of {content_type} is not read here: send application/json", field="body")

    @app.exception_handler(Refusal)
    def refused(error: Refusal) -> Response[dict[str, Any]]:
        return error_response(error.http_status, str(error), code=error.code, field=error.field)

    @app.exception_handler(TransientError)
    def unavailable(error: TransientError) -> Response[dict[str, Any]]:
        return error_response(503, str(error))

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


class PayloadTooLarge(Refusal):
    code = "PAYLOAD_TOO_LARGE"
    http_status = 413


class NestedTooDeep(Refusal):
    code = "VALIDATION_ERROR"
    http_status = 422


def bounded_json(text: str) -> Any:
    """A request body as JSON, refused before parsing when too large or nested too deep."""
    if len(text.encode()) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body is over {MAX_BODY_BYTES} bytes", field="body")
    if json_depth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise NestedTooDeep(f"the body nests deeper than {MAX_JSON_DEPTH} levels", field="body")
    return json.loads(text)


def json_depth(text: str, stop_above: int) -> int:
    """How deep JSON text nests arrays and objects (counted without parsing it; stops
    counting once past `stop_above`)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > stop_above:
                return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def _server(app: APIGatewayRestResolver) -> Server:
    """Where the API is, as the caller reached it: `/v1` on the stage URL, `/` on a custom domain
    (and on the local cloud's http://127.0.0.1:3000, which is served as one)."""
    context = app.current_event.request_context
    stage = context.stage
    if stage and stage != "$default" and (context.path or "").startswith(f"/{stage}"):
        return Server(url=f"/{stage}")
    return Server(url="/")
