"""Helpers of the demo-task integration tests: submit, call the API, wait for executions."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

from ..conftest import wait_for
from .conftest import RunningCloud

TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def send_request(cloud: RunningCloud, payload: dict[str, Any] | str, organization: str | None = None) -> None:
    """demo/task.requested on the queue; the run is `organization`'s (its message attribute), or no one's."""
    body = payload if isinstance(payload, str) else json.dumps(payload)
    attributes = {"organization": {"DataType": "String", "StringValue": organization}} if organization else {}
    cloud.client("sqs").send_message(
        QueueUrl=cloud.outputs["DemoTaskQueueUrl"], MessageBody=body, MessageAttributes=attributes
    )


def finished_execution(cloud: RunningCloud, task_id: str) -> dict[str, Any]:
    sfn = cloud.client("stepfunctions")
    machine = cloud.outputs["DemoTaskStateMachineArn"]
    arn = machine.replace(":stateMachine:", ":execution:") + f":{task_id}"

    def finished() -> dict[str, Any] | None:
        try:
            execution = sfn.describe_execution(executionArn=arn)
        except sfn.exceptions.ExecutionDoesNotExist:
            return None
        return execution if execution["status"] in TERMINAL else None

    return wait_for(finished, timeout=60, what=f"execution {task_id} to finish")


def api(cloud: RunningCloud, method: str, path: str, body: Any = None, token: str | None = "") -> tuple[int, Any]:
    """Call the REST API as the developer user (admin of organization `local`), with
    `token` as someone else, or with `token=None` as no one."""
    headers = {"content-type": "application/json"}
    token = cloud.token if token == "" else token
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        cloud.settings.api_url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
