"""The Lambda steps of the `demo-task` state machine, one handler per step.

Each step is memoized per (taskId, step name) within a run: see
`conveyor.durable.steps`. Step 3 (simulate-delay) is a Wait state; how a run ends
(recorded, published, its slot freed) is the durable flow's: `functions/durable_flow`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Tracer

from conveyor.core.aws import AwsClients
from conveyor.core.settings import EnvironmentSettings, env
from conveyor.durable.steps import DurableSteps, StepHandler, StepRun
from conveyor.durable.store import TaskStore
from demo_task import steps
from demo_task.models import FLOW

logger = Logger()
tracer = Tracer()


class StepSettings(EnvironmentSettings):
    tasks_table: str = env("TASKS_TABLE", min_length=1)


durable = DurableSteps(TaskStore(AwsClients().table(StepSettings.from_environment().tasks_table)), FLOW)


def _lambda(name: str, step: Callable[[StepRun], Any]) -> StepHandler:
    return logger.inject_lambda_context(tracer.capture_lambda_handler(durable.handler(name, step)))


initialize = _lambda("initialize", steps.initialize)
process = _lambda("process", steps.process)
simulate_api_call = _lambda("simulate-api-call", steps.simulate_api_call)
finalize = _lambda("finalize", steps.finalize)
