"""Calls to the Step Functions API: what the console reads and the actions it offers.

Everything goes through the public API, so the same calls work on AWS, LocalStack
and the local cloud. Two things AWS does not offer are built here:

- **search by name**: `ListExecutions` filters by status only, so a search reads
  pages of 1,000 and keeps the names that contain the text, handing back a token
  that resumes where the page ended;
- **whether redrive exists**: MiniStack answers `RedriveExecution` with "Unknown
  action"; the console asks once (for an execution that cannot exist) and hides
  the action where the endpoint lacks it.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

EXECUTION_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
HISTORY_PAGE = 1000
MAX_HISTORY_EVENTS = 25_000  # AWS's own limit per execution
_SEARCH_PAGE = 1000
_UNKNOWN_ACTION = ("InvalidAction", "UnknownOperationException", "UnknownOperation", "NotImplemented")


class InvalidPageToken(ValueError):
    """A page token this console did not hand out."""


@dataclass(frozen=True)
class ExecutionPage:
    executions: list[dict[str, Any]]
    next_token: str | None


@dataclass(frozen=True)
class History:
    events: list[dict[str, Any]]
    truncated: bool  # more than MAX_HISTORY_EVENTS: the rest was not read


class StepFunctions:
    def __init__(self, client: Any) -> None:
        self._sfn = client
        self._redrive_supported: bool | None = None
        self._lock = threading.Lock()

    # --- reading -------------------------------------------------------------------

    def state_machines(self) -> list[dict[str, Any]]:
        machines: list[dict[str, Any]] = []
        for page in self._sfn.get_paginator("list_state_machines").paginate():
            machines.extend(page["stateMachines"])
        return sorted(machines, key=lambda m: m["name"])

    def state_machine(self, arn: str) -> dict[str, Any]:
        return dict(self._sfn.describe_state_machine(stateMachineArn=arn))

    def executions(
        self,
        state_machine_arn: str,
        status: str | None = None,
        name: str | None = None,
        page_size: int = 50,
        token: str | None = None,
    ) -> ExecutionPage:
        """A page of executions, newest first; `name` keeps those whose name contains it."""
        request: dict[str, Any] = {"stateMachineArn": state_machine_arn}
        if status:
            request["statusFilter"] = status
        if not name:
            if token:
                request["nextToken"] = _decode(token)["aws"]
            page = self._sfn.list_executions(**request, maxResults=page_size)
            next_aws = page.get("nextToken")
            return ExecutionPage(page["executions"], _encode({"aws": next_aws, "skip": 0}) if next_aws else None)
        return self._search(request, name.lower(), page_size, _decode(token) if token else {"aws": None, "skip": 0})

    def _search(self, request: dict[str, Any], text: str, page_size: int, cursor: Mapping[str, Any]) -> ExecutionPage:
        found: list[dict[str, Any]] = []
        aws_token, skip = cursor.get("aws"), int(cursor.get("skip", 0))
        while True:
            page = self._sfn.list_executions(
                **request, maxResults=_SEARCH_PAGE, **({"nextToken": aws_token} if aws_token else {})
            )
            executions = page["executions"]
            for index in range(skip, len(executions)):
                if text in executions[index]["name"].lower():
                    found.append(executions[index])
                    if len(found) == page_size:
                        if index + 1 < len(executions):
                            return ExecutionPage(found, _encode({"aws": aws_token, "skip": index + 1}))
                        following = page.get("nextToken")
                        return ExecutionPage(found, _encode({"aws": following, "skip": 0}) if following else None)
            aws_token, skip = page.get("nextToken"), 0
            if not aws_token:
                return ExecutionPage(found, None)

    def execution(self, arn: str) -> dict[str, Any]:
        return dict(self._sfn.describe_execution(executionArn=arn))

    def definition_for(self, execution: Mapping[str, Any]) -> str:
        """The definition the execution ran (`DescribeStateMachineForExecution`: a later
        update of the machine does not redraw older executions), else the current one."""
        try:
            answer = self._sfn.describe_state_machine_for_execution(executionArn=execution["executionArn"])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code", "") not in _UNKNOWN_ACTION:
                raise
            answer = self._sfn.describe_state_machine(stateMachineArn=execution["stateMachineArn"])
        return str(answer["definition"])

    def history(self, arn: str) -> History:
        """Every event of the execution, oldest first (up to MAX_HISTORY_EVENTS)."""
        events: list[dict[str, Any]] = []
        request: dict[str, Any] = {"executionArn": arn, "maxResults": HISTORY_PAGE}
        while True:
            page = self._sfn.get_execution_history(**request)
            events.extend(page["events"])
            if not page.get("nextToken"):
                return History(events, truncated=False)
            if len(events) >= MAX_HISTORY_EVENTS:
                return History(events, truncated=True)
            request["nextToken"] = page["nextToken"]

    # --- actions -------------------------------------------------------------------

    def start(self, state_machine_arn: str, input_json: str, name: str | None = None) -> str:
        request = {"stateMachineArn": state_machine_arn, "input": input_json}
        if name:
            request["name"] = name
        return str(self._sfn.start_execution(**request)["executionArn"])

    def stop(self, arn: str) -> None:
        self._sfn.stop_execution(executionArn=arn, error="Console.Stopped", cause="Stopped from the Conveyor console")

    def redrive(self, arn: str) -> None:
        self._sfn.redrive_execution(executionArn=arn)

    def redrive_supported(self, any_execution_arn: str) -> bool:
        """Whether the endpoint has RedriveExecution; asked once, with an execution
        that cannot exist next to a real one (any answer but "unknown action" means yes)."""
        with self._lock:
            if self._redrive_supported is None:
                prefix = any_execution_arn.rsplit(":", 2)[0]
                try:
                    self._sfn.redrive_execution(executionArn=f"{prefix}:console-probe:no-such-execution")
                    self._redrive_supported = True
                except ClientError as error:
                    code = error.response.get("Error", {}).get("Code", "")
                    message = error.response.get("Error", {}).get("Message", "")
                    self._redrive_supported = code not in _UNKNOWN_ACTION and "Unknown action" not in message
            return self._redrive_supported


def _encode(cursor: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode()


def _decode(token: str) -> dict[str, Any]:
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError as error:
        raise InvalidPageToken("this page link is not one the console made; start from the first page") from error
    if not isinstance(cursor, dict) or "aws" not in cursor:
        raise InvalidPageToken("this page link is not one the console made; start from the first page")
    return cursor
