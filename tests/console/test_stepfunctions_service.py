"""The console's Step Functions calls: search by name across pages, and whether the
endpoint has RedriveExecution (botocore's Stubber plays the endpoint)."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from console.stepfunctions.service import InvalidPageToken, StepFunctions

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:demo"


def executions(*names: str) -> list[dict]:
    return [
        {
            "executionArn": f"{MACHINE.replace('stateMachine', 'execution')}:{name}",
            "stateMachineArn": MACHINE,
            "name": name,
            "status": "SUCCEEDED",
            "startDate": datetime(2026, 11, 23, tzinfo=UTC),
        }
        for name in names
    ]


@pytest.fixture
def sfn():  # noqa: ANN201 - a stubbed client
    client = boto3.client("stepfunctions", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber


def test_search_reads_on_across_pages_and_resumes_where_it_stopped(sfn) -> None:  # noqa: ANN001
    client, stubber = sfn
    first = {"stateMachineArn": MACHINE, "maxResults": 1000}
    stubber.add_response(
        "list_executions", {"executions": executions("a-order-1", "b", "a-order-2"), "nextToken": "t2"}, first
    )
    stubber.add_response("list_executions", {"executions": executions("c", "x-ORDER-3")}, {**first, "nextToken": "t2"})
    service = StepFunctions(client)

    page = service.executions(MACHINE, name="order", page_size=2)
    rest = service.executions(MACHINE, name="order", page_size=2, token=page.next_token)

    assert [e["name"] for e in page.executions] == ["a-order-1", "a-order-2"]
    assert page.next_token is not None
    assert [e["name"] for e in rest.executions] == ["x-ORDER-3"] and rest.next_token is None
    stubber.assert_no_pending_responses()


def test_a_plain_list_passes_the_status_filter_and_page_size(sfn) -> None:  # noqa: ANN001
    client, stubber = sfn
    expected = {"stateMachineArn": MACHINE, "statusFilter": "FAILED", "maxResults": 50}
    stubber.add_response("list_executions", {"executions": executions("f1"), "nextToken": "next"}, expected)
    stubber.add_response("list_executions", {"executions": executions("f2")}, {**expected, "nextToken": "next"})
    service = StepFunctions(client)

    page = service.executions(MACHINE, status="FAILED")
    second = service.executions(MACHINE, status="FAILED", token=page.next_token)

    assert [e["name"] for e in page.executions + second.executions] == ["f1", "f2"] and second.next_token is None


def test_a_page_token_the_console_did_not_make_is_refused(sfn) -> None:  # noqa: ANN001
    client, _ = sfn
    with pytest.raises(InvalidPageToken):
        StepFunctions(client).executions(MACHINE, token="not-a-token")


@pytest.mark.parametrize(
    ("code", "message", "supported"),
    [
        ("InvalidAction", "Unknown action: RedriveExecution", False),  # MiniStack
        ("UnknownOperationException", "", False),
        ("ExecutionDoesNotExist", "Execution does not exist", True),  # AWS
    ],
)
def test_redrive_is_offered_only_where_the_endpoint_has_it(sfn, code: str, message: str, supported: bool) -> None:  # noqa: ANN001
    client, stubber = sfn
    stubber.add_client_error("redrive_execution", service_error_code=code, service_message=message)
    service = StepFunctions(client)
    execution = f"{MACHINE.replace('stateMachine', 'execution')}:run-1"

    assert service.redrive_supported(execution) is supported
    assert service.redrive_supported(execution) is supported  # asked once: no second stubbed answer needed
