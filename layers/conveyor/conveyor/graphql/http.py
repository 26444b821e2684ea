"""`POST /graphql` on the REST API: one operation for the verified caller.

The body is the usual `{"query", "variables", "operationName"}`; the answer is always
200 with `data` and/or `errors` (GraphQL's convention), except a body that is not an
operation at all, which is a 400 in the REST API's error shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from ariadne import graphql_sync
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from graphql import GraphQLSchema
from pydantic import BaseModel, ConfigDict, Field

from conveyor.core.auth import Caller
from conveyor.core.rest import caller, error_responses
from conveyor.graphql.documents import DocumentCache
from conveyor.graphql.errors import format_error

ContextOf = Callable[[Caller], dict[str, Any]]
MAX_QUERY_CHARS = 20_000


class GraphqlRequest(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    variables: dict[str, Any] | None = None
    operation_name: str | None = Field(None, alias="operationName", max_length=200)


class GraphqlResponse(BaseModel):
    data: dict[str, Any] | None = None
    errors: list[dict[str, Any]] | None = None


def graphql_router(schema: GraphQLSchema, context_of: ContextOf | None = None) -> Router:
    """The route; `context_of(caller)` adds what resolvers need beside the caller."""
    router = Router()
    documents = DocumentCache()

    @router.post(
        "/graphql",
        summary="Run a GraphQL operation",
        description="Schema-first GraphQL of the workloads; errors carry extensions.code and extensions.field.",
        tags=["graphql"],
        responses={
            200: {"description": "data and/or errors", "content": {"application/json": {"model": GraphqlResponse}}},
            **error_responses(400, 401, 413, 422),
        },
    )
    def run_operation(request: Annotated[GraphqlRequest, Body()]) -> Response[dict[str, Any]]:
        who = caller(router)
        context = {"caller": who, **(context_of(who) if context_of else {})}
        _, result = graphql_sync(
            schema,
            request.model_dump(by_alias=True, exclude_none=True),
            context_value=context,
            query_parser=documents.parse,
            query_validator=documents.validate,
            error_formatter=format_error,
            debug=False,
        )
        # As GraphQL answers: `errors` only when there are some.
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=result)

    return router
