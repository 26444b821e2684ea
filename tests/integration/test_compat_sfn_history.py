"""sfn_execution_history: execution histories have AWS's event types, fields and
`previousEventId` chains (as recorded on AWS: LocalStack's snapshot tests
tests/aws/services/stepfunctions/v2/*.snapshot.json)."""

from __future__ import annotations

import json

from .conftest import ProbeStack, RunningCloud
from .executions import chain, details, run, types

NOT_TRUNCATED = {"truncated": False}
ENDINGS = {"MapIterationFailed", "WaitStateAborted", "MapIterationAborted", "MapStateFailed", "ExecutionFailed"}


def test_a_lambda_task_logs_lambda_function_events_and_an_integration_logs_task_events(
    cloud: RunningCloud, probe: ProbeStack
) -> None:
    sleep = probe["SleepFunctionArn"]
    definition = {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Result": {"seconds": 0}, "Next": "ByArn"},
            "ByArn": {"Type": "Task", "Resource": sleep, "ResultPath": "$.byArn", "Next": "ByIntegration"},
            "ByIntegration": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": sleep, "Payload": {"seconds": 0}},
                "ResultSelector": {"slept.$": "$.Payload.slept"},
                "End": True,
            },
        },
    }

    execution, events = run(cloud, definition)

    assert execution["status"] == "SUCCEEDED"
    assert chain(events) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "TaskStateEntered"),
        (5, 4, "LambdaFunctionScheduled"),
        (6, 5, "LambdaFunctionStarted"),
        (7, 6, "LambdaFunctionSucceeded"),
        (8, 7, "TaskStateExited"),
        (9, 8, "TaskStateEntered"),
        (10, 9, "TaskScheduled"),
        (11, 10, "TaskStarted"),
        (12, 11, "TaskSucceeded"),
        (13, 12, "TaskStateExited"),
        (14, 13, "ExecutionSucceeded"),
    ]
    by_id = {event["id"]: event for event in events}
    assert by_id[1]["executionStartedEventDetails"]["inputDetails"] == NOT_TRUNCATED
    assert by_id[4]["stateEnteredEventDetails"] == {
        "name": "ByArn",
        "input": '{"seconds":0}',
        "inputDetails": NOT_TRUNCATED,
    }
    assert by_id[5]["lambdaFunctionScheduledEventDetails"] == {
        "resource": sleep,
        "input": '{"seconds":0}',
        "inputDetails": NOT_TRUNCATED,
    }
    assert "lambdaFunctionStartedEventDetails" not in by_id[6]
    assert by_id[7]["lambdaFunctionSucceededEventDetails"] == {"output": '{"slept":0}', "outputDetails": NOT_TRUNCATED}
    scheduled = by_id[10]["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("lambda", "invoke")
    assert json.loads(scheduled["parameters"]) == {"FunctionName": sleep, "Payload": {"seconds": 0}}
    assert by_id[11]["taskStartedEventDetails"] == {"resourceType": "lambda", "resource": "invoke"}
    assert json.loads(by_id[12]["taskSucceededEventDetails"]["output"])["Payload"] == {"slept": 0}
    assert by_id[13]["stateExitedEventDetails"]["outputDetails"] == NOT_TRUNCATED
    assert json.loads(by_id[14]["executionSucceededEventDetails"]["output"]) == {"slept": 0}


def test_retried_attempts_follow_each_other_and_a_caught_error_exits_the_state(
    cloud: RunningCloud, probe: ProbeStack
) -> None:
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": probe["FailNamedFunctionArn"],
                "Retry": [{"ErrorEquals": ["ProbeNamedError"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    }

    execution, events = run(cloud, definition)

    assert execution["status"] == "SUCCEEDED"
    assert chain(events) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "TaskStateEntered"),
        (3, 2, "LambdaFunctionScheduled"),
        (4, 3, "LambdaFunctionStarted"),
        (5, 4, "LambdaFunctionFailed"),
        (6, 5, "LambdaFunctionScheduled"),
        (7, 6, "LambdaFunctionStarted"),
        (8, 7, "LambdaFunctionFailed"),
        (9, 8, "TaskStateExited"),
        (10, 9, "SucceedStateEntered"),
        (11, 10, "SucceedStateExited"),
        (12, 11, "ExecutionSucceeded"),
    ]
    failed = details(events[4])
    assert failed["error"] == "ProbeNamedError"
    assert json.loads(failed["cause"])["errorMessage"] == "failing on purpose"


def test_map_iterations_and_parallel_branches_are_logged_on_their_own_lines(cloud: RunningCloud) -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 1,
                "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
                "ResultPath": "$.each",
                "Next": "Both",
            },
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                    {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": True}}},
                ],
                "ResultPath": None,
                "End": True,
            },
        },
    }

    execution, events = run(cloud, definition, {"items": [1, 2]})

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"items": [1, 2], "each": [1, 2]}
    # One worker runs the items one after the other (AWS's recorded Map chain).
    assert chain(events[:14]) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "MapIterationStarted"),
        (5, 4, "PassStateEntered"),
        (6, 5, "PassStateExited"),
        (7, 6, "MapIterationSucceeded"),
        (8, 6, "MapIterationStarted"),
        (9, 8, "PassStateEntered"),
        (10, 9, "PassStateExited"),
        (11, 10, "MapIterationSucceeded"),
        (12, 11, "MapStateSucceeded"),
        (13, 11, "MapStateExited"),
        (14, 13, "ParallelStateEntered"),
    ]
    assert details(events[2]) == {"length": 2}
    assert [details(e) for e in events if e["type"].startswith("MapIteration")] == [
        {"name": "Each", "index": 0},
        {"name": "Each", "index": 0},
        {"name": "Each", "index": 1},
        {"name": "Each", "index": 1},
    ]
    # The branches run side by side: each starts from ParallelStateStarted, and
    # the Parallel ends after the last of them.
    started, *branches, succeeded, exited, done = events[14:]
    assert (started["type"], started["previousEventId"]) == ("ParallelStateStarted", 14)
    by_branch = {}
    for event in branches:
        by_branch.setdefault(details(event)["name"], []).append(event)
    assert {name: types(lines) for name, lines in by_branch.items()} == {
        "Left": ["PassStateEntered", "PassStateExited"],
        "Right": ["PassStateEntered", "PassStateExited"],
    }
    for entered, exited_branch in by_branch.values():
        assert entered["previousEventId"] == started["id"]
        assert exited_branch["previousEventId"] == entered["id"]
    last_branch_event = max(event["id"] for event in branches)
    assert (succeeded["type"], succeeded["previousEventId"]) == ("ParallelStateSucceeded", last_branch_event)
    assert (exited["type"], exited["previousEventId"]) == ("ParallelStateExited", last_branch_event)
    assert (done["type"], done["previousEventId"]) == ("ExecutionSucceeded", exited["id"])


def test_a_failing_iteration_aborts_the_running_ones_and_fails_the_map(cloud: RunningCloud) -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Route",
                    "States": {
                        "Route": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "StringEquals": "fail", "Next": "Pause"}],
                            "Default": "Linger",
                        },
                        "Pause": {"Type": "Wait", "Seconds": 10, "Next": "Broken"},
                        "Broken": {"Type": "Fail", "Error": "ItemBroken", "Cause": "on purpose"},
                        "Linger": {"Type": "Wait", "Seconds": 600, "End": True},
                    },
                },
                "End": True,
            }
        },
    }

    execution, events = run(cloud, definition, ["fail", "linger"])

    assert (execution["status"], execution["error"]) == ("FAILED", "ItemBroken")
    ending = [(e["type"], details(e).get("index")) for e in events if e["type"] in ENDINGS]
    assert ending == [
        ("MapIterationFailed", 0),
        ("WaitStateAborted", None),
        ("MapIterationAborted", 1),
        ("MapStateFailed", None),
        ("ExecutionFailed", None),
    ]
    broken = next(e for e in events if e["type"] == "FailStateEntered")
    # Everything that ends the Map follows the failing iteration's last event.
    assert {e["previousEventId"] for e in events if e["type"] in ENDINGS - {"ExecutionFailed"}} == {broken["id"]}


def test_a_runtime_error_is_not_caught_even_by_states_all(cloud: RunningCloud) -> None:
    definition = {
        "StartAt": "Guarded",
        "States": {
            "Guarded": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Broken", "States": {"Broken": {"Type": "Fail", "ErrorPath": "$.code"}}},
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    }

    execution, events = run(cloud, definition, {"code": 42})

    assert (execution["status"], execution["error"]) == ("FAILED", "States.Runtime")
    broken = next(e for e in events if e["type"] == "FailStateEntered")
    assert execution["cause"].startswith(
        f"An error occurred while executing the state 'Broken' (entered at the event id #{broken['id']}). "
    )
    assert "Caught" not in {details(e).get("name") for e in events}
