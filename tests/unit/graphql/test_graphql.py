"""conveyor.graphql: composed schemas, the caller, and errors with a code and the wrong field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ariadne import MutationType, QueryType
from pydantic import BaseModel, Field

from conveyor.core.errors import Conflict, NotFound
from conveyor.core.rest import rest_api
from conveyor.graphql.http import graphql_router
from conveyor.graphql.schema import GraphqlModule, caller_of, compose

from ..conftest import ADMIN, MEMBER, FakeLambdaContext, api_event

SDL = """
type Thing { name: String!, ownerOrganization: String }
input MakeThingInput { name: String!, size: Int! }
extend type Query { thing(name: String!): Thing }
extend type Mutation { makeThing(input: MakeThingInput!): Thing! }
"""


class MakeThing(BaseModel):
    name: str
    size: int = Field(ge=1, le=10)


def module() -> GraphqlModule:
    query, mutation = QueryType(), MutationType()

    @query.field("thing")
    def thing(_: Any, info: Any, name: str) -> dict:
        if name == "missing":
            raise NotFound(f"no thing {name!r}", field="name")
        if name == "boom":
            raise RuntimeError("secret internal detail")
        return {"name": name, "owner_organization": caller_of(info).organization}

    @mutation.field("makeThing")
    def make_thing(_: Any, info: Any, input: dict) -> dict:  # noqa: A002 - the SDL's argument name
        made = MakeThing.model_validate(input)
        if made.name == "taken":
            raise Conflict("thing taken exists", field="input.name")
        return {"name": made.name}

    return GraphqlModule("things", SDL, (query, mutation))


def run(query: str, variables: dict | None = None, claims: dict | None = MEMBER) -> tuple[int, dict]:
    app = rest_api("test")
    app.include_router(graphql_router(compose(module())))
    event = api_event("POST", "/graphql", {"query": query, "variables": variables}, claims=claims)
    response = app.resolve(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def test_the_base_schema_says_who_is_asking() -> None:
    assert run("{ me { organization admin } }") == (200, {"data": {"me": {"organization": "org-1", "admin": False}}})
    assert run("{ me { admin } }", claims=ADMIN)[1]["data"]["me"]["admin"] is True


def test_a_workloads_module_resolves_with_camel_case_fields() -> None:
    status, body = run('{ thing(name: "a") { name ownerOrganization } }')
    assert (status, body) == (200, {"data": {"thing": {"name": "a", "ownerOrganization": "org-1"}}})


@pytest.mark.parametrize(
    ("query", "variables", "code", "field"),
    [
        ('{ thing(name: "missing") { name } }', None, "NOT_FOUND", "name"),
        (
            "mutation($i: MakeThingInput!) { makeThing(input: $i) { name } }",
            {"i": {"name": "taken", "size": 1}},
            "CONFLICT",
            "input.name",
        ),
        (
            "mutation($i: MakeThingInput!) { makeThing(input: $i) { name } }",
            {"i": {"name": "x", "size": 99}},
            "VALIDATION_ERROR",
            "size",
        ),
        ("{ nope }", None, "BAD_REQUEST", None),
    ],
)
def test_errors_carry_a_code_and_the_wrong_field(
    query: str, variables: dict | None, code: str, field: str | None
) -> None:
    status, body = run(query, variables)
    [error] = body["errors"]
    assert (status, error["extensions"]["code"], error["extensions"].get("field")) == (200, code, field)


def test_an_unexpected_error_keeps_its_text_to_the_logs() -> None:
    _, body = run('{ thing(name: "boom") { name } }')
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INTERNAL" and "secret" not in json.dumps(body)


def test_no_identity_no_operation() -> None:
    status, body = run("{ me { admin } }", claims=None)
    assert (status, body["code"]) == (401, "UNAUTHENTICATED")


def test_a_body_that_is_not_an_operation_is_a_422_in_the_rest_shape() -> None:
    app = rest_api("test")
    app.include_router(graphql_router(compose(module())))
    response = app.resolve(api_event("POST", "/graphql", {"mutation": "x"}), FakeLambdaContext())
    assert (response["statusCode"], json.loads(response["body"])["code"]) == (422, "VALIDATION_ERROR")


def test_a_schema_of_queries_only_composes() -> None:
    assert compose().mutation_type is None and "me" in compose().query_type.fields
