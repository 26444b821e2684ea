"""The Lambda steps of the `demo-task` state machine, one handler per step.

Each step is memoized per (taskId, step name) within a run: see
`conveyor.durable.steps`. Step 3 (simulate-delay) is a Wait state.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from conveyor.demo_task import steps
from conveyor.durable.failure import record_run_failure
from conveyor.durable.steps import StepRun, StepState, durable_step
from conveyor.durable.store import task_store

logger = Logger()
tracer = Tracer()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@durable_step("initialize")
def initialize(step: StepRun) -> dict[str, Any]:
    return steps.initialize(step)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@durable_step("process")
def process(step: StepRun) -> dict[str, Any]:
    return steps.process(step)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@durable_step("simulate-api-call")
def simulate_api_call(step: StepRun) -> dict[str, Any]:
    return steps.simulate_api_call(step)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@durable_step("finalize")
def finalize(step: StepRun) -> dict[str, Any]:
    result = steps.finalize(step)
    task_store().record_succeeded(step.task["taskId"], step.run, result)
    return result


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def record_failure(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Catch target: the run failed; record where and why, and say what to publish."""
    detail = record_run_failure(task_store(), StepState.model_validate(event), event["failure"])
    logger.warning("demo task failed", extra=detail)
    return detail
