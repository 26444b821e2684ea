"""The OpenAPI document of the job routes against what they answer: each route is driven
into every error it can answer, and the document must list exactly those statuses, each
with the ErrorResponse schema, and every error body must be an ErrorResponse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from conveyor.core.dynamo import Transaction
from conveyor.core.rest import MAX_BODY_BYTES, ErrorResponse

from ..conftest import ADMIN, OTHER_MEMBER
from .conftest import Call, ContentJobsResources, create

ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorResponse"}
# Powertools documents a 422 on every route; these have no input to be wrong.
WITHOUT_INPUT = {("/jobs/stats", "get"), ("/health", "get")}

# (call, a PENDING job of MEMBER's organization, the moto resources) -> an error answer
Provoke = Callable[[Call, str, ContentJobsResources], tuple[int, Any]]


def noop(**extra: Any) -> dict[str, Any]:
    return {"type": "NOOP", "payload": {}, **extra}


def cancelled_twice(call: Call, job: str, resources: ContentJobsResources) -> tuple[int, Any]:
    call("DELETE", f"/jobs/{job}", job_id=job)
    return call("DELETE", f"/jobs/{job}", job_id=job)


def with_transactions_failing(call: Call, job: str, resources: ContentJobsResources) -> tuple[int, Any]:
    def fail(_tx: Transaction) -> None:
        raise ConnectionError("DynamoDB is not answering")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Transaction, "commit", fail)
        return call("POST", "/jobs/batch", {"jobs": [noop()]})


def with_a_queue_gone(call: Call, job: str, resources: ContentJobsResources) -> tuple[int, Any]:
    boto3.client("sqs").delete_queue(QueueUrl=resources.queue_urls["supporting-dlq"])
    return call("GET", "/health")


PROVOKED: dict[tuple[str, str], list[Provoke]] = {
    ("/jobs", "post"): [
        lambda call, job, _: call("POST", "/jobs", noop(), claims=None),
        lambda call, job, _: call("POST", "/jobs", noop(organizationId="org-2")),
        lambda call, job, _: call("POST", "/jobs", noop(jobId=job), claims=OTHER_MEMBER),
        lambda call, job, _: call("POST", "/jobs", noop(payload={"echo": "x" * MAX_BODY_BYTES})),
        lambda call, job, _: call("POST", "/jobs", "type=NOOP", headers={"content-type": "text/plain"}),
        lambda call, job, _: call("POST", "/jobs", noop(delaySeconds=-1)),
    ],
    ("/jobs/batch", "post"): [
        lambda call, job, _: call("POST", "/jobs/batch", {"jobs": [noop()]}, claims=None),
        lambda call, job, _: call("POST", "/jobs/batch", {"jobs": [noop(jobId=job)]}, claims=OTHER_MEMBER),
        lambda call, job, _: call("POST", "/jobs/batch", {"jobs": [noop(payload={"echo": "x" * MAX_BODY_BYTES})]}),
        lambda call, job, _: call("POST", "/jobs/batch", "jobs=1", headers={"content-type": "text/plain"}),
        lambda call, job, _: call("POST", "/jobs/batch", {"jobs": []}),
        with_transactions_failing,
    ],
    ("/jobs", "get"): [
        lambda call, job, _: call("GET", "/jobs", query={"nextToken": "bm90LWEta2V5"}),
        lambda call, job, _: call("GET", "/jobs", claims=None),
        lambda call, job, _: call("GET", "/jobs", query={"organizationId": "org-2"}),
        lambda call, job, _: call("GET", "/jobs", query={"limit": "0"}),
    ],
    ("/jobs/stats", "get"): [
        lambda call, job, _: call("GET", "/jobs/stats", claims=None),
        lambda call, job, _: call("GET", "/jobs/stats"),
    ],
    ("/jobs/{job_id}", "get"): [
        lambda call, job, _: call("GET", f"/jobs/{job}", claims=None, job_id=job),
        lambda call, job, _: call("GET", f"/jobs/{job}", claims=OTHER_MEMBER, job_id=job),
        lambda call, job, _: call("GET", "/jobs/nope", job_id="nope"),
        lambda call, job, _: call("GET", "/jobs/a b", job_id="a b"),
    ],
    ("/jobs/{job_id}", "delete"): [
        lambda call, job, _: call("DELETE", f"/jobs/{job}", claims=None, job_id=job),
        lambda call, job, _: call("DELETE", f"/jobs/{job}", claims=OTHER_MEMBER, job_id=job),
        lambda call, job, _: call("DELETE", "/jobs/nope", job_id="nope"),
        cancelled_twice,
        lambda call, job, _: call("DELETE", "/jobs/a b", job_id="a b"),
    ],
    ("/jobs/{job_id}/retry", "post"): [
        lambda call, job, _: call("POST", f"/jobs/{job}/retry", claims=None, job_id=job),
        lambda call, job, _: call("POST", f"/jobs/{job}/retry", claims=OTHER_MEMBER, job_id=job),
        lambda call, job, _: call("POST", "/jobs/nope/retry", job_id="nope"),
        lambda call, job, _: call("POST", f"/jobs/{job}/retry", job_id=job),  # PENDING, its message sent: 409
        lambda call, job, _: call("POST", "/jobs/a b/retry", job_id="a b"),
    ],
    ("/health", "get"): [
        lambda call, job, _: call("GET", "/health", claims=None),
        with_a_queue_gone,
    ],
}


@pytest.fixture
def document(call: Call) -> dict[str, Any]:
    status, document = call("GET", "/openapi.json")
    assert status == 200
    return document


def test_every_job_route_is_walked(document: dict[str, Any]) -> None:
    walked = {(path, method) for path, method in PROVOKED}
    job_routes = {
        (path, method)
        for path, operations in document["paths"].items()
        if path.startswith("/jobs") or path == "/health"
        for method in operations
    }
    assert job_routes == walked


@pytest.mark.parametrize(("path", "method"), list(PROVOKED))
def test_a_route_documents_exactly_the_errors_it_answers_in_the_one_shape(
    call: Call, document: dict[str, Any], content_jobs: ContentJobsResources, path: str, method: str
) -> None:
    answered: set[int] = set()
    for provoke in PROVOKED[(path, method)]:
        status, body = provoke(call, create(call), content_jobs)
        assert status >= 400, (path, method, status, body)
        error = ErrorResponse.model_validate(body)  # the one shape, and nothing else in it
        assert set(body) <= {"statusCode", "code", "message", "field", "detail"} and error.status_code == status
        answered.add(status)

    responses = document["paths"][path][method]["responses"]
    documented = {int(status) for status in responses if int(status) >= 400}
    expected = answered | ({422} if (path, method) in WITHOUT_INPUT else set())
    assert documented == expected, f"{method.upper()} {path}"
    for status in documented:
        assert responses[str(status)]["content"]["application/json"]["schema"] == ERROR_SCHEMA, status


def test_success_answers_are_documented_with_their_models(document: dict[str, Any]) -> None:
    successes = {
        (path, method): {status for status in operation["responses"] if int(status) < 400}
        for path, operations in document["paths"].items()
        if path.startswith("/jobs") or path == "/health"
        for method, operation in operations.items()
    }
    assert successes == {
        ("/jobs", "post"): {"202"},
        ("/jobs/batch", "post"): {"202"},
        ("/jobs", "get"): {"200"},
        ("/jobs/stats", "get"): {"200"},
        ("/jobs/{job_id}", "get"): {"200"},
        ("/jobs/{job_id}", "delete"): {"200"},
        ("/jobs/{job_id}/retry", "post"): {"202"},
        ("/health", "get"): {"200"},
    }
    job = document["paths"]["/jobs/{job_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert job == {"$ref": "#/components/schemas/JobView"}


def test_an_admin_gets_the_stats(call: Call) -> None:
    assert call("GET", "/jobs/stats", claims=ADMIN)[0] == 200
