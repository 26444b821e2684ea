"""The Conveyor stack as the console sees it: its outputs, queues and state machines.

Read from CloudFormation (`DescribeStacks`, `ListStackResources`, nested stacks
included), so the console finds the resources of whatever stack it is pointed at;
kept for a few seconds, since every page asks and stacks change rarely. Without
a stack (`--stack ''`) or when it does not exist, the console lists every queue
and state machine of the account instead.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

_TTL_SECONDS = 10.0


@dataclass(frozen=True)
class StackResources:
    name: str | None
    status: str | None = None  # None: no such stack
    outputs: dict[str, str] = field(default_factory=dict)
    queue_urls: list[str] = field(default_factory=list)
    state_machine_arns: list[str] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return self.status is not None


class Stack:
    def __init__(self, cloudformation: Any, name: str | None) -> None:
        self._cfn = cloudformation
        self._name = name
        self._lock = threading.Lock()
        self._read: tuple[float, StackResources] | None = None

    def resources(self) -> StackResources:
        with self._lock:
            if self._read is None or time.monotonic() - self._read[0] > _TTL_SECONDS:
                self._read = (time.monotonic(), self._describe())
            return self._read[1]

    def _describe(self) -> StackResources:
        if not self._name:
            return StackResources(None)
        try:
            stack = self._cfn.describe_stacks(StackName=self._name)["Stacks"][0]
        except ClientError as error:
            if "does not exist" in str(error):
                return StackResources(self._name)
            raise
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        queues: list[str] = []
        machines: list[str] = []
        self._collect(self._name, queues, machines)
        return StackResources(self._name, stack["StackStatus"], outputs, queues, machines)

    def _collect(self, stack: str, queues: list[str], machines: list[str]) -> None:
        for resource in self._stack_resources(stack):
            kind, physical = resource["ResourceType"], resource.get("PhysicalResourceId") or ""
            if kind == "AWS::SQS::Queue":
                queues.append(physical)
            elif kind == "AWS::StepFunctions::StateMachine":
                machines.append(physical)
            elif kind == "AWS::CloudFormation::Stack" and physical:
                self._collect(physical, queues, machines)

    def _stack_resources(self, stack: str) -> list[dict[str, Any]]:
        resources: list[dict[str, Any]] = []
        for page in self._cfn.get_paginator("list_stack_resources").paginate(StackName=stack):
            resources.extend(page["StackResourceSummaries"])
        return resources
