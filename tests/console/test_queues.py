"""The console's SQS calls against moto: counts, DLQs, and reading without consuming."""

from __future__ import annotations

import json

import boto3
from moto import mock_aws

from console.queues import Queues


@mock_aws
def test_a_dlq_knows_its_source_and_its_messages_are_read_without_consuming_them() -> None:
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    work = sqs.create_queue(
        QueueName="work",
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 4})},
    )["QueueUrl"]
    for number in range(23):
        sqs.send_message(
            QueueUrl=dlq,
            MessageBody=json.dumps({"jobId": f"job-{number}"}),
            MessageAttributes={"ErrorReason": {"DataType": "String", "StringValue": f"broken {number}"}},
        )
    queues = Queues(sqs)

    work_queue, dead_letters = queues.describe([dlq, work])
    peeked = queues.peek(dlq, limit=50)

    assert (work_queue.name, work_queue.dead_letter_name, work_queue.max_receive_count) == ("work", "work-dlq", 4)
    assert dead_letters.is_dead_letter_queue and dead_letters.sources == ["work"]
    assert len({m.message_id for m in peeked}) == 23
    assert sorted(m.error_reason for m in peeked)[:2] == ["broken 0", "broken 1"]
    assert peeked[0].json_body["jobId"].startswith("job-")
    after = queues.queue(dlq)
    assert (after.visible, after.in_flight) == (23, 0)  # all still there, all visible again
    again = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert len(again) == 10


@mock_aws
def test_peek_stops_at_its_limit_and_leaves_the_rest() -> None:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="many")["QueueUrl"]
    for number in range(15):
        sqs.send_message(QueueUrl=url, MessageBody=str(number))

    peeked = Queues(sqs).peek(url, limit=12)

    assert len(peeked) == 12
    assert Queues(sqs).queue(url).visible == 15
