"""What Step Functions refuses as AWS does: Wait paths (sfn_wait_validation),
payloads over 256 KiB (sfn_data_limit), and failed `events:putEvents` entries
(sfn_put_events), whose delivered events carry the execution's ARNs."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from ..conftest import wait_for
from .conftest import ProbeStack, RunningCloud
from .executions import details, run, types

RUNTIME_ERROR_PREFIX = "An error occurred while executing the state 'Pause' (entered at the event id #2). "


@pytest.mark.parametrize(
    ("seconds", "reason"),
    [
        (-1, "The SecondsPath parameter references a negative value: $.seconds == -1"),
        (1.5, "The SecondsPath parameter cannot be parsed as a long value: $.seconds == 1.5"),
    ],
)
def test_a_wait_seconds_path_that_is_no_whole_number_of_seconds_fails_the_execution(
    cloud: RunningCloud, seconds: float, reason: str
) -> None:
    pause = {"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "SecondsPath": "$.seconds", "End": True}}}

    execution, events = run(cloud, pause, {"seconds": seconds})

    assert (execution["status"], execution["error"]) == ("FAILED", "States.Runtime")
    assert execution["cause"] == RUNTIME_ERROR_PREFIX + reason
    assert types(events) == ["ExecutionStarted", "WaitStateEntered", "ExecutionFailed"]


def test_a_wait_timestamp_path_without_a_zone_fails_the_execution(cloud: RunningCloud) -> None:
    pause = {"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "TimestampPath": "$.at", "End": True}}}

    execution, _ = run(cloud, pause, {"at": "2016-12-05T21:29:29"})

    assert (execution["status"], execution["error"]) == ("FAILED", "States.Runtime")
    assert execution["cause"] == RUNTIME_ERROR_PREFIX + (
        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time "
        "format string: $.at == 2016-12-05T21:29:29"
    )
    past, _ = run(cloud, pause, {"at": "2016-12-05T21:29:29+01:00"})
    assert past["status"] == "SUCCEEDED"


def test_a_task_result_over_256_kib_fails_the_task_and_can_be_caught(cloud: RunningCloud, probe: ProbeStack) -> None:
    resource = probe["BigResultFunctionArn"]
    definition = {
        "StartAt": "Fetch",
        "States": {
            "Fetch": {
                "Type": "Task",
                "Resource": resource,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "TooBig"}],
                "End": True,
            },
            "TooBig": {"Type": "Succeed"},
        },
    }

    execution, events = run(cloud, definition, {"bytes": 257 * 1024})

    assert execution["status"] == "SUCCEEDED"
    [failed] = [details(e) for e in events if e["type"] == "LambdaFunctionFailed"]
    assert failed == {
        "error": "States.DataLimitExceeded",
        "cause": f"The state/task '{resource}' returned a result with a size exceeding the maximum number of "
        "bytes service limit.",
    }
    small, _ = run(cloud, definition, {"bytes": 250 * 1024})
    assert "TooBig" not in small["output"]


def test_a_state_output_over_256_kib_fails_the_execution(cloud: RunningCloud) -> None:
    pad = {"Type": "Pass", "Result": {"pad": "a" * 257 * 1024}, "End": True}
    definition = {"StartAt": "Pad", "States": {"Pad": pad}}

    execution, events = run(cloud, definition)

    assert (execution["status"], execution["error"]) == ("FAILED", "States.DataLimitExceeded")
    assert execution["cause"].startswith("The state/task 'Pad' returned a result with a size exceeding")
    assert types(events) == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]


def _put_events_task(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "StartAt": "Publish",
        "States": {
            "Publish": {
                "Type": "Task",
                "Resource": "arn:aws:states:::events:putEvents",
                "Parameters": {"Entries": entries},
                "Catch": [{"ErrorEquals": ["EventBridge.FailedEntry"], "ResultPath": "$.caught", "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    }


def test_a_failed_put_events_entry_fails_the_task(cloud: RunningCloud) -> None:
    # "aws." sources are AWS's own: PutEvents refuses that entry and accepts the other.
    entries = [
        {"Source": "conveyor.compat", "DetailType": "accepted", "Detail": {"n": 1}},
        {"Source": "aws.compat", "DetailType": "refused", "Detail": {"n": 2}},
    ]

    execution, events = run(cloud, _put_events_task(entries))

    assert execution["status"] == "SUCCEEDED"  # caught by name
    caught = json.loads(execution["output"])["caught"]
    assert caught["Error"] == "EventBridge.FailedEntry"
    response = json.loads(caught["Cause"])
    assert response["FailedEntryCount"] == 1
    assert "EventId" in response["Entries"][0] and "ErrorCode" in response["Entries"][1]
    [failed] = [details(e) for e in events if e["type"] == "TaskFailed"]
    assert (failed["resourceType"], failed["resource"], failed["error"]) == (
        "events",
        "putEvents",
        "EventBridge.FailedEntry",
    )


def test_put_events_deliver_events_with_the_state_machine_and_execution_arns(cloud: RunningCloud) -> None:
    sqs, bus = cloud.client("sqs"), cloud.client("events")
    source = f"conveyor.compat.{uuid.uuid4().hex[:8]}"
    queue = sqs.create_queue(QueueName=source.replace(".", "-"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus.put_rule(Name=source.replace(".", "-"), EventPattern=json.dumps({"source": [source]}))
    bus.put_targets(Rule=source.replace(".", "-"), Targets=[{"Id": "queue", "Arn": queue_arn}])
    entry = {"Source": source, "DetailType": "tagged", "Detail": {"n": 1}, "Resources": ["urn:conveyor:compat"]}

    execution, _ = run(cloud, _put_events_task([entry]))

    assert execution["status"] == "SUCCEEDED"
    [message] = wait_for(
        lambda: sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages"), what="the delivered event"
    )
    event = json.loads(message["Body"])
    assert event["resources"] == ["urn:conveyor:compat", execution["stateMachineArn"], execution["executionArn"]]
    assert event["detail"] == {"n": 1}
