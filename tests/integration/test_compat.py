"""Tests of the first fixes in localcloud.compat (the others are in
test_compat_*.py): each asserts AWS's behaviour, which MiniStack 1.5.33 does
not have without the fix."""

from __future__ import annotations

import json
import time
import uuid

from ..conftest import wait_for
from .conftest import ProbeStack, RunningCloud


def test_retry_and_catch_match_a_handler_exception_by_its_class_name(cloud: RunningCloud, probe: ProbeStack) -> None:
    """lambda_error_payload: the error name Step Functions sees is the exception's
    class name, and the cause carries the handler's stack trace."""
    sfn = cloud.client("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=probe["NamedErrorStateMachineArn"], input="{}")["executionArn"]

    execution = wait_for(
        lambda: (e := sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and e,
        what="the named-error execution",
    )

    assert execution["status"] == "SUCCEEDED", execution  # caught by name, not failed
    failures = [
        e["lambdaFunctionFailedEventDetails"]
        for e in sfn.get_execution_history(executionArn=arn)["events"]
        if e["type"] == "LambdaFunctionFailed"
    ]
    assert [f["error"] for f in failures] == ["ProbeNamedError"] * 3  # first try + MaxAttempts 2
    cause = json.loads(failures[0]["cause"])
    assert (cause["errorType"], cause["errorMessage"]) == ("ProbeNamedError", "failing on purpose")
    assert cause["requestId"]
    [frame] = cause["stackTrace"]  # the handler's own frame, none of the runtime's
    assert frame.endswith('in fail_named\n    raise ProbeNamedError("failing on purpose")\n'), frame
    assert json.loads(execution["output"])["caught"]["Error"] == "ProbeNamedError"


def test_start_message_move_task_redrives_the_dlq_to_its_source_queue(cloud: RunningCloud, probe: ProbeStack) -> None:
    """sqs_message_move: `aws sqs start-message-move-task` moves DLQ messages back."""
    sqs = cloud.client("sqs")
    source, dlq = probe["RedriveQueueUrl"], probe["RedriveDLQUrl"]
    sqs.send_message(
        QueueUrl=source,
        MessageBody="poison",
        MessageAttributes={"origin": {"DataType": "String", "StringValue": "test"}},
    )
    assert sqs.receive_message(QueueUrl=source)["Messages"][0]["Body"] == "poison"

    def moved_to_dlq() -> bool:
        # maxReceiveCount 1: as on AWS, the next receive after the visibility
        # timeout moves the message to the DLQ instead of returning it.
        assert "Messages" not in sqs.receive_message(QueueUrl=source, WaitTimeSeconds=1)
        return _visible(sqs, dlq) == 1

    wait_for(moved_to_dlq, timeout=15, what="the message in the DLQ")

    handle = sqs.start_message_move_task(SourceArn=probe["RedriveDLQArn"])["TaskHandle"]

    [task] = sqs.list_message_move_tasks(SourceArn=probe["RedriveDLQArn"])["Results"]
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == task["ApproximateNumberOfMessagesToMove"] == 1
    assert handle
    assert _visible(sqs, dlq) == 0
    moved = sqs.receive_message(QueueUrl=source, MessageAttributeNames=["All"])["Messages"][0]
    assert moved["Body"] == "poison"
    assert moved["MessageAttributes"]["origin"]["StringValue"] == "test"
    sqs.delete_message(QueueUrl=source, ReceiptHandle=moved["ReceiptHandle"])


def test_start_message_move_task_refuses_a_queue_that_is_not_a_dlq(cloud: RunningCloud, probe: ProbeStack) -> None:
    sqs = cloud.client("sqs")
    arn = sqs.get_queue_attributes(QueueUrl=probe["RedriveQueueUrl"], AttributeNames=["QueueArn"])
    try:
        sqs.start_message_move_task(SourceArn=arn["Attributes"]["QueueArn"])
    except sqs.exceptions.ClientError as error:
        assert "Dead Letter Queue" in str(error)
    else:
        raise AssertionError("a queue that is no DLQ was accepted as a move source")


def test_a_disabled_mapping_delivers_nothing_until_enabled(cloud: RunningCloud, probe: ProbeStack) -> None:
    """esm_disabled_state: a mapping created with Enabled: false says it is Disabled."""
    sqs, lam = cloud.client("sqs"), cloud.client("lambda")
    queue = probe["DisabledQueueUrl"]
    body = f"held-{uuid.uuid4().hex[:6]}"
    [mapping] = lam.list_event_source_mappings(FunctionName=probe["DisabledConsumerName"])["EventSourceMappings"]
    assert mapping["State"] == "Disabled"
    sqs.send_message(QueueUrl=queue, MessageBody=body)

    time.sleep(3)  # an absence can only be observed over a span of time
    assert [d for d in probe.deliveries(queue) if d["body"] == body] == []

    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    try:
        wait_for(
            lambda: [d for d in probe.deliveries(queue) if d["body"] == body],
            timeout=20,
            what="delivery after enabling",
        )
    finally:
        lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)


def _visible(sqs, queue_url: str) -> int:  # type: ignore[no-untyped-def]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])
