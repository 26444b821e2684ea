"""The console's client of Conveyor's API against a local HTTP server: the bearer
token, both paging vocabularies, and every error shape."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from console.conveyor_api import ApiError, BearerToken, ConveyorApi


class FakeApi:
    """Answers each (method, path) with a scripted (status, body) and records every request."""

    def __init__(self) -> None:
        self.replies: dict[tuple[str, str], tuple[int, Any]] = {}
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                parts = urlsplit(self.path)
                fake.requests.append(
                    {
                        "method": self.command,
                        "path": parts.path,
                        "query": parse_qs(parts.query),
                        "headers": self.headers,
                        "body": self.rfile.read(int(self.headers.get("Content-Length") or 0)),
                    }
                )
                status, body = fake.replies.get((self.command, parts.path), (404, {"message": "no route"}))
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_DELETE = _answer  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def fake() -> Iterator[FakeApi]:
    server = FakeApi()
    yield server
    server.server.shutdown()


def test_the_token_is_sent_as_a_bearer_header(fake: FakeApi) -> None:
    fake.replies[("GET", "/tasks/t-1")] = (200, {"taskId": "t-1"})

    ConveyorApi(fake.url, token="s3cret").task("t-1")
    ConveyorApi(fake.url).task("t-1")

    assert fake.requests[0]["headers"]["Authorization"] == "Bearer s3cret"
    assert "Authorization" not in fake.requests[1]["headers"]


def test_a_token_command_gives_the_token_and_a_fresh_one_after_a_401(fake: FakeApi, tmp_path) -> None:
    """`make up` runs the console with `--token-command "python -m localcloud token"`."""
    issuer = tmp_path / "issue_token.py"  # prints token-1, then token-2, ...
    issuer.write_text(
        "import pathlib\n"
        f"count = pathlib.Path({str(tmp_path / 'count')!r})\n"
        "n = len(count.read_text()) + 1 if count.exists() else 1\n"
        "count.write_text('x' * n)\n"
        "print(f'export CONVEYOR_TOKEN=token-{n}')\n"
    )
    command = f"{sys.executable} {issuer}"
    token = BearerToken(command=command)
    fake.replies[("GET", "/tasks/t-1")] = (200, {"taskId": "t-1"})
    ConveyorApi(fake.url, token).task("t-1")
    assert fake.requests[-1]["headers"]["Authorization"] == "Bearer token-1"

    fake.replies[("GET", "/tasks/t-1")] = (401, {"statusCode": 401, "code": "UNAUTHENTICATED", "message": "expired"})
    with pytest.raises(ApiError) as refused:  # still 401 with the fresh token: the refusal stands
        ConveyorApi(fake.url, token).task("t-1")
    assert refused.value.status == 401
    assert [r["headers"]["Authorization"] for r in fake.requests[-2:]] == ["Bearer token-1", "Bearer token-2"]


def test_pages_follow_next_token(fake: FakeApi) -> None:
    fake.replies[("GET", "/tasks")] = (200, {"tasks": [{"taskId": "a"}], "nextToken": "T1"})
    fake.replies[("GET", "/jobs")] = (200, {"jobs": [{"id": "j"}], "nextToken": "J1"})
    api = ConveyorApi(fake.url)

    tasks = api.tasks("FAILED", limit=5)
    api.tasks("FAILED", limit=5, token=tasks.next_token)
    jobs = api.jobs({"status": "FAILED", "type": None}, limit=7)
    api.jobs({"status": "FAILED", "type": None}, limit=7, token=jobs.next_token)

    assert tasks.items == [{"taskId": "a"}] and jobs.items == [{"id": "j"}]
    queries = [r["query"] for r in fake.requests]
    assert queries[0] == {"status": ["FAILED"], "limit": ["5"]}
    assert queries[1] == {"status": ["FAILED"], "limit": ["5"], "nextToken": ["T1"]}
    assert queries[2] == {"status": ["FAILED"], "limit": ["7"]}
    assert queries[3] == {"status": ["FAILED"], "limit": ["7"], "nextToken": ["J1"]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"statusCode": 409, "code": "CONFLICT", "message": "task is RUNNING"}, "task is RUNNING"),
        ({"statusCode": 422, "detail": [{"loc": ["query", "status"], "msg": "bad"}]}, "query.status: bad"),
        (b"<html>gateway</html>", "<html>gateway</html>"),
    ],
)
def test_every_error_shape_becomes_a_status_and_a_message(fake: FakeApi, body: Any, message: str) -> None:
    fake.replies[("POST", "/tasks/t-1/retry")] = (409, body)

    with pytest.raises(ApiError) as raised:
        ConveyorApi(fake.url).replay_task("t-1")

    assert (raised.value.status, raised.value.message) == (409, message)


def test_an_api_that_does_not_answer_is_an_error_that_says_where(fake: FakeApi) -> None:
    fake.server.shutdown()
    fake.server.server_close()

    with pytest.raises(ApiError) as raised:
        ConveyorApi(fake.url).job_stats()

    assert raised.value.status == 0 and fake.url in raised.value.message


def test_ids_are_escaped_in_paths(fake: FakeApi) -> None:
    fake.replies[("DELETE", "/jobs/a%2Fb%20c")] = (200, {"id": "a/b c", "status": "CANCELLED"})

    assert ConveyorApi(fake.url).cancel_job("a/b c")["status"] == "CANCELLED"


def test_graphql_posts_the_operation_and_answers_its_data_or_its_first_error(fake: FakeApi) -> None:
    fake.replies[("POST", "/graphql")] = (200, {"data": {"library": {"albums": []}}})
    api = ConveyorApi(fake.url, token="t")

    assert api.graphql("query($n: Int) { library(limit: $n) { albums { albumId } } }", {"n": 5}) == {
        "library": {"albums": []}
    }
    sent = fake.requests[-1]
    assert sent["headers"]["Content-Type"] == "application/json" and sent["headers"]["Authorization"] == "Bearer t"
    assert json.loads(sent["body"])["variables"] == {"n": 5}

    refusal = {"message": "limit must be 1-100", "extensions": {"code": "VALIDATION_ERROR", "field": "limit"}}
    fake.replies[("POST", "/graphql")] = (200, {"data": None, "errors": [refusal]})
    with pytest.raises(ApiError) as raised:
        api.graphql("{ library(limit: 0) { nextToken } }")
    assert (raised.value.status, raised.value.message) == (422, "limit must be 1-100")
