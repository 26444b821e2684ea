"""conveyor.core: settings from the environment, page tokens, updates, the REST error shape."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel

from conveyor.core.dynamo import Condition, Update
from conveyor.core.errors import Conflict, InvalidRequest, NotFound
from conveyor.core.pagination import PageTokens
from conveyor.core.rest import rest_api
from conveyor.core.settings import ConfigurationError, EnvironmentSettings, env

from ..conftest import FakeLambdaContext, api_event


class Example(EnvironmentSettings):
    table: str = env("EXAMPLE_TABLE", min_length=1)
    limit: int = env("EXAMPLE_LIMIT", 10, ge=1)


def test_settings_read_and_validate_the_environment() -> None:
    assert Example.from_environment({"EXAMPLE_TABLE": "t", "EXAMPLE_LIMIT": "3"}) == Example(table="t", limit=3)
    assert Example.from_environment({"EXAMPLE_TABLE": "t"}).limit == 10


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "EXAMPLE_TABLE: Field required"),
        ({"EXAMPLE_TABLE": ""}, "EXAMPLE_TABLE: Field required"),  # empty is missing, not a name
        ({"EXAMPLE_TABLE": "t", "EXAMPLE_LIMIT": "many"}, "EXAMPLE_LIMIT: Input should be a valid integer"),
        ({"EXAMPLE_TABLE": "t", "EXAMPLE_LIMIT": "0"}, "EXAMPLE_LIMIT: Input should be greater than or equal to 1"),
    ],
)
def test_a_missing_or_malformed_variable_is_named(environ: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Example.from_environment(environ)


def test_a_prefix_reads_one_flows_variables_over_the_shared_ones() -> None:
    environ = {"EXAMPLE_TABLE": "shared", "A_EXAMPLE_LIMIT": "4", "B_EXAMPLE_LIMIT": "5"}
    assert Example.from_environment(environ, prefix="A_") == Example(table="shared", limit=4)
    assert Example.from_environment(environ, prefix="B_").limit == 5


TOKENS = PageTokens("id", "status", "createdAt")


def test_a_page_token_round_trips_and_keeps_its_partition() -> None:
    key = {"id": "j-1", "status": "FAILED", "createdAt": "2026-11-23T12:00:00.000Z"}
    token = TOKENS.encode(key)
    assert TOKENS.decode(token, fixed={"status": "FAILED"}) == key
    with pytest.raises(InvalidRequest, match="another listing"):
        TOKENS.decode(token, fixed={"status": "PENDING"})
    assert TOKENS.encode(None) is None and TOKENS.decode(None) is None


@pytest.mark.parametrize(
    "token",
    [
        "not base64!",
        "bnVsbA",  # null
        TOKENS.encode({"id": "j-1", "status": "FAILED"}),  # a key attribute missing
        TOKENS.encode({"id": "j-1", "status": "FAILED", "createdAt": "x", "extra": "y"}),
        TOKENS.encode({"id": {"S": "j-1"}, "status": "FAILED", "createdAt": "x"}),  # not a plain value
        TOKENS.encode({"id": "j" * 5000, "status": "FAILED", "createdAt": "x"}),  # over any key's size
        "A" * 5000,
    ],
)
def test_a_token_this_listing_did_not_hand_out_is_refused(token: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        TOKENS.decode(token)
    assert refused.value.field == "nextToken"


def test_an_update_renders_every_clause_with_placeholders() -> None:
    update = Update(
        set={"status": "DONE"},
        set_if_absent={"counters": {}},
        add={"counters.seen": 1},
        remove=("error",),
        append={"history": [{"a": 1}]},
    )
    request = update.request(Condition("#status = :from", {"#status": "status"}, {":from": "RUNNING"}))
    assert request["UpdateExpression"] == (
        "SET #status = :u0, #counters = if_not_exists(#counters, :u1), "
        "#history = list_append(if_not_exists(#history, :u2), :u3) ADD #counters.#seen :u4 REMOVE #error"
    )
    assert request["ConditionExpression"] == "#status = :from"
    assert request["ExpressionAttributeValues"] == {
        ":u0": "DONE",
        ":u1": {},
        ":u2": [],
        ":u3": [{"a": 1}],
        ":u4": 1,
        ":from": "RUNNING",
    }


class Thing(BaseModel):
    name: str


def api_with_routes():  # a small API with one route of each kind of answer
    app = rest_api("test")
    router = Router()

    @router.get("/things/<name>")
    def get_thing(name: str) -> Thing:
        if name == "missing":
            raise NotFound("no thing 'missing'", field="name")
        if name == "busy":
            raise Conflict("thing busy is running")
        if name == "boom":
            raise RuntimeError("secret internal detail")
        return Thing(name=name)

    @router.post("/things")
    def create(thing: Thing) -> Thing:
        return thing

    app.include_router(router)
    return app


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/things/missing", None, 404, "NOT_FOUND"),
        ("GET", "/things/busy", None, 409, "CONFLICT"),
        ("POST", "/things", {"nom": 1}, 422, "VALIDATION_ERROR"),
        ("GET", "/nowhere", None, 404, "NOT_FOUND"),
        ("GET", "/things/boom", None, 500, "INTERNAL"),
    ],
)
def test_every_error_has_one_shape_and_no_internal_text(method, path, body, status, code) -> None:
    response = api_with_routes().resolve(api_event(method, path, body), FakeLambdaContext())
    answer = json.loads(response["body"])
    assert (response["statusCode"], answer["statusCode"], answer["code"]) == (status, status, code)
    assert answer["message"] and "secret" not in response["body"]


def test_a_body_that_is_not_json_is_415_in_the_one_shape() -> None:
    event = api_event("POST", "/things", "name=x")
    event["headers"]["content-type"] = "text/plain"
    response = api_with_routes().resolve(event, FakeLambdaContext())
    answer = json.loads(response["body"])
    assert (response["statusCode"], answer["code"], answer["field"]) == (415, "UNSUPPORTED_MEDIA_TYPE", "body")


def test_the_openapi_document_names_where_the_api_was_reached() -> None:
    app = api_with_routes()
    stage_url = api_event("GET", "/openapi.json")  # requestContext.path /v1/openapi.json
    custom_domain = {**stage_url, "requestContext": {**stage_url["requestContext"], "path": "/openapi.json"}}
    servers = [
        json.loads(app.resolve(event, FakeLambdaContext())["body"])["servers"] for event in (stage_url, custom_domain)
    ]
    assert servers == [[{"url": "/v1"}], [{"url": "/"}]]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("[" * 5000 + "]" * 5000, 422, "VALIDATION_ERROR"),  # was a RecursionError: a 5xx
        (json.dumps({"name": "x" * (300 * 1024)}), 413, "PAYLOAD_TOO_LARGE"),
        (json.dumps({"name": "[[[[ not nesting, a string " + "[" * 100}), 200, None),
    ],
)
def test_a_body_too_large_or_too_deep_is_refused_before_parsing(body: str, status: int, code: str | None) -> None:
    response = api_with_routes().resolve(api_event("POST", "/things", body), FakeLambdaContext())
    assert response["statusCode"] == status
    if code:
        assert json.loads(response["body"])["code"] == code
