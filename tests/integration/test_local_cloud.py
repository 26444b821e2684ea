"""The local cloud as a whole: state survives a restart; stopping it stops its workers."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from boto3.dynamodb.conditions import Key

from localcloud import deploy as deployer

from ..conftest import wait_for
from .conftest import PLATFORM_TEMPLATE, start_cloud


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


def test_stopping_the_cloud_stops_its_lambda_workers_even_busy_ones(tmp_path: Path) -> None:
    cloud = start_cloud(tmp_path / "state", persist=False)
    try:
        probe = deployer.deploy(cloud.settings, template=PLATFORM_TEMPLATE, stack_name="platform-probe").outputs
        records = cloud.resource("dynamodb").Table(probe["ProbeTableName"])
        payload = json.dumps({"seconds": 50, "record": True})
        cloud.client("lambda").invoke(FunctionName=probe["SlowFunctionName"], InvocationType="Event", Payload=payload)
        wait_for(
            lambda: records.query(KeyConditionExpression=Key("kind").eq("sleeping"))["Items"],
            what="the slow handler to be running",
        )
    finally:
        assert cloud.stop() == 0
    wait_for(lambda: session(cloud.process.pid) == [], timeout=15, what="its workers to stop")


def session(session_id: int) -> list[str]:
    """Command lines of the processes in session `session_id`: the local cloud's own and its workers'."""
    commands = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[3]) == session_id:
                    commands.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
    return commands
