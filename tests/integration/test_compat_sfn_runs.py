"""How Step Functions executions run as on AWS: idempotent starts
(sfn_start_idempotent), execution and task timeouts (sfn_execution_timeout,
sfn_task_timeouts), retry waits (sfn_retry_backoff) and redrive (sfn_redrive)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from ..conftest import wait_for
from .conftest import ProbeStack, RunningCloud
from .executions import chain, create_machine, details, finished, history, run, start, types

HOLD = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 6000, "End": True}}}


def test_starting_a_running_execution_again_with_the_same_input_answers_with_it(cloud: RunningCloud) -> None:
    sfn = cloud.client("stepfunctions")
    machine = create_machine(cloud, HOLD)
    name = f"run-{uuid.uuid4().hex[:8]}"
    first = sfn.start_execution(stateMachineArn=machine, name=name, input='{"n": 1}')

    again = sfn.start_execution(stateMachineArn=machine, name=name, input='{"n": 1}')

    assert (again["executionArn"], again["startDate"]) == (first["executionArn"], first["startDate"])
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=machine, name=name, input='{"n": 2}')  # other input
    sfn.stop_execution(executionArn=first["executionArn"])
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=machine, name=name, input='{"n": 1}')  # closed
    assert types(history(cloud, first["executionArn"])).count("ExecutionStarted") == 1


def test_an_execution_past_its_timeout_ends_timed_out_and_publishes_the_status_change(cloud: RunningCloud) -> None:
    definition = {**HOLD, "TimeoutSeconds": 5}  # 0.5 s at the tests' wait scale
    machine = create_machine(cloud, definition)
    status_changes = _status_change_queue(cloud, machine, "TIMED_OUT")

    execution = finished(cloud, cloud.client("stepfunctions").start_execution(stateMachineArn=machine)["executionArn"])

    assert execution["status"] == "TIMED_OUT"
    assert chain(history(cloud, execution["executionArn"])) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "WaitStateEntered"),
        (3, 2, "ExecutionTimedOut"),
    ]
    event = status_changes()
    assert (event["detail"]["executionArn"], event["detail"]["status"]) == (execution["executionArn"], "TIMED_OUT")


def _status_change_queue(cloud: RunningCloud, machine: str, status: str) -> Any:
    """A queue subscribed to the machine's status-change events; returns a poller for the first one."""
    sqs, events = cloud.client("sqs"), cloud.client("events")
    name = f"status-{uuid.uuid4().hex[:8]}"
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {"status": [status], "stateMachineArn": [machine]},
    }
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": queue_arn}])

    def first_event() -> dict[str, Any]:
        messages = wait_for(
            lambda: sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages"),
            timeout=20,
            what=f"a {status} status-change event",
        )
        return json.loads(messages[0]["Body"])

    return first_event


def test_a_callback_task_without_heartbeats_times_out_as_heartbeat_timeout(cloud: RunningCloud) -> None:
    queue = cloud.client("sqs").create_queue(QueueName=f"tokens-{uuid.uuid4().hex[:8]}")["QueueUrl"]

    execution, events = run(cloud, _callback_definition(queue), {"heartbeat": 2})

    assert execution["status"] == "SUCCEEDED"  # caught by the HeartbeatTimeout catcher
    assert json.loads(execution["output"])["caught"]["Error"] == "States.Timeout"
    [scheduled] = [details(e) for e in events if e["type"] == "TaskScheduled"]
    assert scheduled["heartbeatInSeconds"] == 2
    [timed_out] = [details(e) for e in events if e["type"] == "TaskTimedOut"]
    assert (timed_out["resourceType"], timed_out["error"]) == ("sqs", "States.Timeout")


def test_heartbeats_keep_a_callback_task_waiting(cloud: RunningCloud) -> None:
    sqs, sfn = cloud.client("sqs"), cloud.client("stepfunctions")
    queue = sqs.create_queue(QueueName=f"tokens-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = start(cloud, _callback_definition(queue), {"heartbeat": 2})
    token = json.loads(
        wait_for(lambda: sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages"), what="the token")[0][
            "Body"
        ]
    )["token"]

    # Beat every half second for 4 s, twice the heartbeat interval, then answer.
    for _ in range(8):
        sfn.send_task_heartbeat(taskToken=token)
        time.sleep(0.5)
    sfn.send_task_success(taskToken=token, output='{"done": true}')

    execution = finished(cloud, arn)
    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"done": True}


def _callback_definition(queue_url: str) -> dict[str, Any]:
    return {
        "StartAt": "Wait for worker",
        "States": {
            "Wait for worker": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "HeartbeatSecondsPath": "$.heartbeat",
                "Parameters": {"QueueUrl": queue_url, "MessageBody": {"token.$": "$$.Task.Token"}},
                "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "ResultPath": "$.caught", "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    }


def test_timeout_seconds_path_bounds_a_lambda_task(cloud: RunningCloud, probe: ProbeStack) -> None:
    definition = {
        "StartAt": "Slow",
        "States": {
            "Slow": {
                "Type": "Task",
                "Resource": probe["SlowFunctionArn"],
                "TimeoutSecondsPath": "$.limit",
                "Parameters": {"seconds": 5},
                "End": True,
            }
        },
    }

    execution, events = run(cloud, definition, {"limit": 1})

    assert (execution["status"], execution["error"]) == ("FAILED", "States.Timeout")
    assert types(events)[-3:] == ["LambdaFunctionStarted", "LambdaFunctionTimedOut", "ExecutionFailed"]
    assert details(events[2])["timeoutInSeconds"] == 1


def _retry_gaps(cloud: RunningCloud, probe: ProbeStack, retrier: dict[str, Any]) -> list[float]:
    """Seconds between each failed attempt and its retry being scheduled."""
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": probe["FailNamedFunctionArn"],
                "Retry": [{"ErrorEquals": ["ProbeNamedError"], "MaxAttempts": 1, "BackoffRate": 1, **retrier}],
                "End": True,
            }
        },
    }
    _, events = run(cloud, definition)
    gaps = []
    for failed, retried in zip(events, events[1:], strict=False):
        if (failed["type"], retried["type"]) == ("LambdaFunctionFailed", "LambdaFunctionScheduled"):
            gaps.append((retried["timestamp"] - failed["timestamp"]).total_seconds())
    return gaps


def test_a_retry_waits_no_longer_than_max_delay_seconds(cloud: RunningCloud, probe: ProbeStack) -> None:
    # 1 s at the tests' 0.1 wait scale is 0.1 s; without MaxDelaySeconds it would be 6 s (MiniStack's 60 s cap).
    [gap] = _retry_gaps(cloud, probe, {"IntervalSeconds": 1000, "MaxDelaySeconds": 1})
    assert gap < 3


def test_a_retry_interval_is_not_capped_at_60_seconds(cloud: RunningCloud, probe: ProbeStack) -> None:
    # 70 s at the tests' 0.1 wait scale: 7 s, where a 60 s cap would give 6 s.
    [gap] = _retry_gaps(cloud, probe, {"IntervalSeconds": 70})
    assert gap >= 6.9


def test_full_jitter_makes_each_retry_wait_a_random_part_of_the_backoff(cloud: RunningCloud, probe: ProbeStack) -> None:
    # 10 s at the tests' 0.1 wait scale: every wait would be 1 s without jitter
    # (a sleep is never shorter); with FULL jitter six of them are not all near 1 s.
    gaps = _retry_gaps(cloud, probe, {"IntervalSeconds": 10, "MaxAttempts": 6, "JitterStrategy": "FULL"})
    assert len(gaps) == 6
    assert min(gaps) < 0.9


def test_redrive_reruns_a_failed_execution_from_its_failed_map_iteration(
    cloud: RunningCloud, probe: ProbeStack
) -> None:
    sfn = cloud.client("stepfunctions")
    tag = uuid.uuid4().hex[:8]
    items = [{"key": f"{tag}-a"}, {"key": f"{tag}-b", "failures": 1}, {"key": f"{tag}-c"}]
    definition = {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Next": "Each"},
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "StartAt": "Call",
                    "States": {"Call": {"Type": "Task", "Resource": probe["FlakyFunctionArn"], "End": True}},
                },
                "End": True,
            },
        },
    }
    machine = create_machine(cloud, definition)
    succeeded = _status_change_queue(cloud, machine, "SUCCEEDED")
    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"items": items}))["executionArn"]
    failed = finished(cloud, arn)
    assert (failed["status"], failed["redriveCount"], failed["redriveStatus"]) == ("FAILED", 0, "REDRIVABLE")

    redriven_at = sfn.redrive_execution(executionArn=failed["executionArn"])["redriveDate"]

    execution = finished(cloud, failed["executionArn"])
    assert execution["status"] == "SUCCEEDED"
    assert (execution["redriveCount"], execution["redriveDate"]) == (1, redriven_at)
    assert execution["redriveStatus"] == "NOT_REDRIVABLE"
    # Item a succeeded before and is not run again; b fails once, then succeeds; c runs once.
    assert [item["call"] for item in json.loads(execution["output"])] == [1, 2, 1]
    assert {key: _calls(probe, f"{tag}-{key}") for key in "abc"} == {"a": 1, "b": 2, "c": 1}
    events = history(cloud, execution["executionArn"])
    assert types(events).count("ExecutionRedriven") == 1
    redriven = next(e for e in events if e["type"] == "ExecutionRedriven")
    assert details(redriven) == {"redriveCount": 1}
    after = [e for e in events if e["id"] > redriven["id"]]
    assert (after[0]["type"], after[0]["previousEventId"]) == ("MapStateEntered", redriven["id"])
    assert [details(e)["index"] for e in after if e["type"] == "MapIterationStarted"] == [1, 2]
    assert types(events).count("PassStateEntered") == 1  # Prepare succeeded: not run again
    [listed] = sfn.list_executions(stateMachineArn=execution["stateMachineArn"])["executions"]
    assert (listed["redriveCount"], listed["redriveDate"]) == (1, redriven_at)
    status_change = succeeded()["detail"]
    assert (status_change["redriveCount"], status_change["redriveStatus"]) == (1, "NOT_REDRIVABLE")
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=execution["executionArn"])


def _calls(probe: ProbeStack, key: str) -> int:
    return len(probe.records(f"flaky-{key}"))
