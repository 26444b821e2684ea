"""DLQ redrive: `StartMessageMoveTask`, `ListMessageMoveTasks`, `CancelMessageMoveTask`.

AWS: `aws sqs start-message-move-task --source-arn <dlq-arn>` moves the messages
of a dead-letter queue back to the queues they came from (or to
`--destination-arn`), and `list-message-move-tasks` reports the task.

MiniStack 1.5.33: the three actions are missing ("The action
StartMessageMoveTask is not valid for this endpoint").

Fix (upstreamable as three handlers in `ministack.services.sqs`): the actions are
registered in the SQS dispatcher. A task moves every message visible in the DLQ
when it starts, in one pass, so it reports COMPLETED at once;
`MaxNumberOfMessagesPerSecond` is recorded but not used to pace the move, and
tasks are kept in memory only (AWS keeps them for 14 days).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from ministack.services import sqs

_ACTIVE = "RUNNING"
# Source queue ARN -> its tasks, newest first (AWS lists the 10 most recent).
_tasks: dict[str, list[dict[str, Any]]] = {}


def apply() -> None:
    sqs._HANDLERS["StartMessageMoveTask"] = start_message_move_task
    sqs._HANDLERS["ListMessageMoveTasks"] = list_message_move_tasks
    sqs._HANDLERS["CancelMessageMoveTask"] = cancel_message_move_task


def start_message_move_task(data: dict, _queue_url: str) -> dict:
    source_arn = data.get("SourceArn", "")
    source = _queue_or_not_found(source_arn)
    destination_arn = data.get("DestinationArn")
    if destination_arn:
        _queue_or_not_found(destination_arn)
    if not _is_dead_letter_queue(source_arn):
        raise sqs._Err(
            "InvalidParameterValue",
            "Source queue must be configured as a Dead Letter Queue.",
        )
    if any(task["Status"] == _ACTIVE for task in _tasks.get(source_arn, [])):
        raise sqs._Err("UnsupportedOperation", "There is already a task running. Only one active task is allowed.")

    task: dict[str, Any] = {
        "TaskHandle": uuid.uuid4().hex,
        "Status": _ACTIVE,
        "SourceArn": source_arn,
        "ApproximateNumberOfMessagesMoved": 0,
        "StartedTimestamp": int(time.time() * 1000),
    }
    if destination_arn:
        task["DestinationArn"] = destination_arn
    if "MaxNumberOfMessagesPerSecond" in data:
        task["MaxNumberOfMessagesPerSecond"] = int(data["MaxNumberOfMessagesPerSecond"])
    _tasks[source_arn] = [task, *_tasks.get(source_arn, [])][:10]

    _move_messages(source, task, destination_arn)
    return {"TaskHandle": task["TaskHandle"]}


def list_message_move_tasks(data: dict, _queue_url: str) -> dict:
    source_arn = data.get("SourceArn", "")
    _queue_or_not_found(source_arn)
    limit = int(data.get("MaxResults", 1))
    results = []
    for task in _tasks.get(source_arn, [])[:limit]:
        entry = dict(task)
        if entry["Status"] != _ACTIVE:
            entry.pop("TaskHandle")  # AWS returns the handle of running tasks only
        results.append(entry)
    return {"Results": results}


def cancel_message_move_task(data: dict, _queue_url: str) -> dict:
    handle = data.get("TaskHandle", "")
    for tasks in _tasks.values():
        for task in tasks:
            if task["TaskHandle"] == handle:
                if task["Status"] != _ACTIVE:
                    raise sqs._Err("ResourceNotFoundException", "Task does not exist or is not running.")
                task["Status"] = "CANCELLED"
                return {"ApproximateNumberOfMessagesMoved": task["ApproximateNumberOfMessagesMoved"]}
    raise sqs._Err("ResourceNotFoundException", "Task does not exist or is not running.")


def _move_messages(source: dict, task: dict[str, Any], destination_arn: str | None) -> None:
    now = time.time()
    with sqs._queues_lock:
        # Messages in flight (being read from the DLQ) stay where they are.
        to_move = [m for m in source["messages"] if m["visible_at"] <= now]
        source["messages"] = [m for m in source["messages"] if m["visible_at"] > now]
    task["ApproximateNumberOfMessagesToMove"] = len(to_move)

    for index, message in enumerate(to_move):
        target_arn = destination_arn or message.get("sys", {}).get("DeadLetterQueueSourceArn", "")
        target = sqs._queue_by_arn(target_arn) if target_arn else None
        if target is None:
            _put_back(source, to_move[index:])
            task["Status"] = "FAILED"
            task["FailureReason"] = f"Destination queue {target_arn or '(unknown source)'} does not exist."
            return
        request = {"QueueUrl": target["url"], "MessageBody": message["body"]}
        if message.get("message_attributes"):
            request["MessageAttributes"] = message["message_attributes"]
        sqs._act_send_message(request, target["url"])
        task["ApproximateNumberOfMessagesMoved"] += 1
    task["Status"] = "COMPLETED"


def _put_back(source: dict, messages: list[dict]) -> None:
    with sqs._queues_lock:
        source["messages"].extend(messages)


def _queue_or_not_found(arn: str) -> dict:
    queue = sqs._queue_by_arn(arn) if arn else None
    if queue is None:
        raise sqs._Err("ResourceNotFoundException", f"The queue {arn or '(no ARN)'} does not exist.")
    return queue


def _is_dead_letter_queue(arn: str) -> bool:
    for queue in sqs._queues.values():
        policy = queue["attributes"].get("RedrivePolicy")
        if policy and json.loads(policy).get("deadLetterTargetArn") == arn:
            return True
    return False
