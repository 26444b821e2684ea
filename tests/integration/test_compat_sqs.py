"""SQS and its Lambda event source mappings as on AWS: lenient receipt handles
(sqs_receipt_handles), message size with attributes (sqs_message_size),
mapping settings AWS refuses (esm_parameter_validation), malformed
batchItemFailures answers (esm_batch_item_failures) and batching windows
(esm_batching_window)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from ..conftest import wait_for
from .conftest import ProbeStack, RunningCloud


@pytest.fixture
def queue(cloud: RunningCloud) -> Iterator[str]:
    sqs = cloud.client("sqs")
    url = sqs.create_queue(
        QueueName=f"compat-{uuid.uuid4().hex[:8]}", Attributes={"VisibilityTimeout": "30", "MaximumMessageSize": "1024"}
    )["QueueUrl"]
    yield url
    sqs.delete_queue(QueueUrl=url)


def _receive(sqs: Any, queue_url: str, **kwargs: Any) -> dict[str, Any]:
    return wait_for(
        lambda: (sqs.receive_message(QueueUrl=queue_url, **kwargs).get("Messages") or [None])[0],
        what="a message",
    )


def _visible(sqs: Any, queue_url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_a_used_receipt_handle_deletes_again_without_error(cloud: RunningCloud, queue: str) -> None:
    sqs = cloud.client("sqs")
    sqs.send_message(QueueUrl=queue, MessageBody="once")
    handle = _receive(sqs, queue)["ReceiptHandle"]

    for _ in range(3):
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=handle)
    batch = sqs.delete_message_batch(QueueUrl=queue, Entries=[{"Id": "again", "ReceiptHandle": handle}])

    assert batch["Successful"] == [{"Id": "again"}] and not batch.get("Failed")
    with pytest.raises(sqs.exceptions.ClientError) as refused:
        sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=handle, VisibilityTimeout=5)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(sqs.exceptions.ClientError) as invalid:
        sqs.delete_message(QueueUrl=queue, ReceiptHandle="garbage")
    assert invalid.value.response["Error"]["Code"] == "ReceiptHandleIsInvalid"


def test_an_earlier_receipt_handle_changes_the_visibility_of_its_message(cloud: RunningCloud, queue: str) -> None:
    sqs = cloud.client("sqs")
    sqs.send_message(QueueUrl=queue, MessageBody="twice")
    earlier = _receive(sqs, queue, VisibilityTimeout=0)["ReceiptHandle"]
    later = _receive(sqs, queue, VisibilityTimeout=30)["ReceiptHandle"]
    assert later != earlier and _visible(sqs, queue) == 0

    sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=earlier, VisibilityTimeout=0)

    assert _visible(sqs, queue) == 1
    # Deleting with the earlier handle succeeds but leaves the message to its latest receiver.
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=earlier)
    assert _visible(sqs, queue) == 1


def test_a_message_over_maximum_message_size_with_its_attributes_is_refused(cloud: RunningCloud, queue: str) -> None:
    sqs = cloud.client("sqs")
    attributes = {"k": {"DataType": "String", "StringValue": "x"}}  # 1 + 6 + 1 bytes

    sqs.send_message(QueueUrl=queue, MessageBody="a" * (1024 - 8), MessageAttributes=attributes)
    with pytest.raises(sqs.exceptions.ClientError) as refused:
        sqs.send_message(QueueUrl=queue, MessageBody="a" * (1024 - 7), MessageAttributes=attributes)
    batch = sqs.send_message_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": "over", "MessageBody": "a" * (1024 - 7), "MessageAttributes": attributes},
            {"Id": "fits", "MessageBody": "a"},
        ],
    )

    assert refused.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "Message must be shorter than 1024 bytes" in refused.value.response["Error"]["Message"]
    assert [entry["Id"] for entry in batch["Failed"]] == ["over"]
    assert [entry["Id"] for entry in batch["Successful"]] == ["fits"]


def test_a_mapping_with_batch_size_over_10_and_no_window_is_refused(
    cloud: RunningCloud, probe: ProbeStack, queue: str
) -> None:
    lam, queue_arn = cloud.client("lambda"), _arn(cloud, queue)
    function = probe["SleepFunctionName"]

    with pytest.raises(lam.exceptions.InvalidParameterValueException) as refused:
        lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=function, BatchSize=11, Enabled=False)
    mapping = lam.create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName=function, BatchSize=11, MaximumBatchingWindowInSeconds=1, Enabled=False
    )
    try:
        with pytest.raises(lam.exceptions.InvalidParameterValueException):
            lam.update_event_source_mapping(UUID=mapping["UUID"], MaximumBatchingWindowInSeconds=0)
    finally:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
    assert refused.value.response["Error"]["Message"] == (
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
    )


@pytest.mark.parametrize("pattern", ["simple string", json.dumps({"body": "x"}), json.dumps({"body": []})])
def test_a_mapping_with_an_invalid_filter_pattern_is_refused(
    cloud: RunningCloud, probe: ProbeStack, queue: str, pattern: str
) -> None:
    lam = cloud.client("lambda")

    with pytest.raises(lam.exceptions.InvalidParameterValueException) as refused:
        lam.create_event_source_mapping(
            EventSourceArn=_arn(cloud, queue),
            FunctionName=probe["SleepFunctionName"],
            FilterCriteria={"Filters": [{"Pattern": pattern}]},
            Enabled=False,
        )

    assert refused.value.response["Error"]["Message"] == "Invalid filter pattern definition."


def _arn(cloud: RunningCloud, queue_url: str) -> str:
    attributes = cloud.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    return attributes["Attributes"]["QueueArn"]


def test_a_malformed_batch_item_failures_answer_keeps_the_messages(cloud: RunningCloud, probe: ProbeStack) -> None:
    """The consumer names its failed message by receipt handle: AWS fails the batch
    (the message comes back and, after maxReceiveCount 2, goes to the DLQ)."""
    sqs = cloud.client("sqs")
    queue, dlq = probe["HandleReportingQueueUrl"], probe["HandleReportingDLQUrl"]
    body = f"fail-{uuid.uuid4().hex[:8]}"
    sqs.send_message(QueueUrl=queue, MessageBody=body)

    deliveries = wait_for(
        lambda: len(d := [int(x["receiveCount"]) for x in probe.deliveries(queue) if x["body"] == body]) >= 2 and d,
        timeout=30,
        what="the message delivered again",
    )

    assert sorted(deliveries) == [1, 2]
    moved = wait_for(
        lambda: (sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages") or [None])[0],
        timeout=20,
        what="the message in the DLQ",
    )
    assert moved["Body"] == body
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=moved["ReceiptHandle"])


def test_a_batching_window_gathers_messages_into_one_batch_of_more_than_10(
    cloud: RunningCloud, probe: ProbeStack
) -> None:
    """BatchSize 20, MaximumBatchingWindowInSeconds 3: 15 messages sent in two
    requests reach the function as one batch."""
    sqs, queue = cloud.client("sqs"), probe["BatchingWindowQueueUrl"]
    tag = uuid.uuid4().hex[:8]
    for first in (0, 10):
        sqs.send_message_batch(
            QueueUrl=queue,
            Entries=[{"Id": str(n), "MessageBody": f"{tag}-{n}"} for n in range(first, min(first + 10, 15))],
        )

    delivered = wait_for(
        lambda: len(d := [x for x in probe.deliveries(queue) if x["body"].startswith(tag)]) >= 15 and d,
        timeout=30,
        what="the 15 messages delivered",
    )

    assert len({delivery["started"] for delivery in delivered}) == 1  # one invocation
