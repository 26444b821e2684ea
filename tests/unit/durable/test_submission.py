"""Queueing runs and starting admitted ones, with both answers AWS gives a repeated start."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from conveyor.core.aws import AwsClients
from conveyor.durable.flow import FlowSettings, FlowSubmitter
from conveyor.durable.records import TaskStatus
from conveyor.durable.submission import NotReplayable, TaskNotFound, start_queued_run
from conveyor.flow.waiting import WaitingRun

from ..conftest import DurableResources

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:demo-task"
EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:demo-task:t-1"
STARTED = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def flow(durable: DurableResources) -> FlowSubmitter:
    return FlowSubmitter(FlowSettings.from_environment(), AwsClients())


def admitted(flow: FlowSubmitter) -> WaitingRun:
    queued = flow.queue_new_run({"taskId": "t-1"}, 0)
    [run] = list(flow.waiting.in_order())
    assert (run.task_id, run.run) == (queued.task_id, queued.run)
    return run


ADMITTED_MS = int(STARTED.timestamp() * 1000)


def expect_start(stubber: Stubber, run: WaitingRun) -> dict:
    """The same input text on every try: AWS's idempotent start compares the string."""
    return {"stateMachineArn": MACHINE, "name": "t-1", "input": json.dumps({"run": run.run, "task": run.task})}


def test_a_start_records_the_execution_and_its_start_time(flow: FlowSubmitter) -> None:
    run = admitted(flow)
    sfn = boto3.client("stepfunctions")
    with Stubber(sfn) as stubber:
        stubber.add_response(
            "start_execution", {"executionArn": EXECUTION, "startDate": STARTED}, expect_start(stubber, run)
        )
        assert start_queued_run(sfn, flow.store, MACHINE, run, ADMITTED_MS) is True

    task = flow.store.get_task("t-1")
    assert (task.status, task.execution_arn, task.started_at) == (
        TaskStatus.RUNNING,
        EXECUTION,
        "2026-11-23T12:00:00.000Z",
    )


def test_aws_answers_a_repeated_start_of_a_running_execution_with_the_same_execution(flow: FlowSubmitter) -> None:
    """AWS: StartExecution with the name and input of a RUNNING execution returns 200, its ARN and
    its original startDate. A dispatch that died after starting the run and ran again counts it
    as started, and nothing about the run changes: its start time is the first admission's."""
    run = admitted(flow)
    sfn = boto3.client("stepfunctions")
    with Stubber(sfn) as stubber:
        for _ in range(2):
            stubber.add_response(
                "start_execution", {"executionArn": EXECUTION, "startDate": STARTED}, expect_start(stubber, run)
            )
        assert start_queued_run(sfn, flow.store, MACHINE, run, ADMITTED_MS) is True
        assert start_queued_run(sfn, flow.store, MACHINE, run, ADMITTED_MS + 5_000) is True

    task = flow.store.get_task("t-1")
    assert (task.status, task.execution_arn, task.started_at) == (
        TaskStatus.RUNNING,
        EXECUTION,
        "2026-11-23T12:00:00.000Z",
    )


def test_aws_answers_a_start_of_an_ended_execution_with_execution_already_exists(flow: FlowSubmitter) -> None:
    """AWS: ExecutionAlreadyExists when the execution of that name has ended. The run already
    ran: it is not started or recorded again, and the dispatcher frees its slot."""
    run = admitted(flow)
    flow.store.record_execution("t-1", 1, EXECUTION, "2026-11-23T12:00:00.000Z")
    flow.store.record_succeeded("t-1", 1, {"done": True})
    sfn = boto3.client("stepfunctions")
    with Stubber(sfn) as stubber:
        stubber.add_client_error("start_execution", "ExecutionAlreadyExists", "Execution Already Exists: t-1")
        assert start_queued_run(sfn, flow.store, MACHINE, run, ADMITTED_MS) is False

    assert flow.store.get_task("t-1").status == TaskStatus.SUCCEEDED


def test_a_replay_needs_a_failed_task(flow: FlowSubmitter) -> None:
    with pytest.raises(TaskNotFound):
        flow.queue_replay("nope")
    flow.queue_new_run({"taskId": "t-1"}, 0)
    with pytest.raises(NotReplayable, match="t-1 is QUEUED"):
        flow.queue_replay("t-1")

    flow.store.record_failed("t-1", 1, {"type": "X", "message": "no"})
    replay = flow.queue_replay("t-1")
    assert (replay.run, replay.replay, replay.execution_name) == (1, 1, "t-1--replay1")
    with pytest.raises(NotReplayable, match="t-1 is QUEUED"):  # the replay is queued already
        flow.queue_replay("t-1")


def test_a_forced_submission_queues_the_next_run(flow: FlowSubmitter) -> None:
    assert flow.queue_new_run({"taskId": "t-1"}, 0).run == 1
    second = flow.queue_new_run({"taskId": "t-1"}, 0)
    assert (second.run, second.execution_name) == (2, "t-1--run2")
    assert [run.run for run in flow.waiting.in_order()] == [1, 2]
