"""The local cloud as a whole: state survives a restart."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import wait_for
from .conftest import start_cloud


def test_a_restart_keeps_queues_tables_and_executions(tmp_path: Path) -> None:
    first = start_cloud(tmp_path / "state", persist=True)
    try:
        outputs = first.outputs
        sqs, sfn = first.client("sqs"), first.client("stepfunctions")
        sqs.send_message(QueueUrl=outputs["DemoTaskDLQUrl"], MessageBody="kept across restarts")
        execution = sfn.start_execution(
            stateMachineArn=outputs["DemoTaskStateMachineArn"],
            name="before-restart",
            input=json.dumps({"task": {"taskId": "before-restart"}}),
        )
        wait_for(
            lambda: sfn.describe_execution(executionArn=execution["executionArn"])["status"] == "SUCCEEDED",
            what="the execution before the restart",
        )
        port, api_port = first.settings.port, first.settings.api_port
    finally:
        assert first.stop() == 0

    second = start_cloud(tmp_path / "state", persist=True, port=port, api_port=api_port)
    try:
        assert second.outputs == outputs
        sqs, sfn = second.client("sqs"), second.client("stepfunctions")
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        assert described["status"] == "SUCCEEDED"
        messages = sqs.receive_message(QueueUrl=outputs["DemoTaskDLQUrl"])["Messages"]
        assert [m["Body"] for m in messages] == ["kept across restarts"]
        task = (
            second.resource("dynamodb")
            .Table(outputs["TasksTableName"])
            .get_item(Key={"taskId": "before-restart", "sk": "TASK"})["Item"]
        )
        assert task["status"] == "SUCCEEDED"
    finally:
        second.stop()
