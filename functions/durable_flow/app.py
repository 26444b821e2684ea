"""A durable flow's own functions (template component `stacks/components/durable-flow.yaml`),
the same code for every durable workload, configured by the component's environment:

- `dispatch` consumes the flow's FIFO dispatch queue (one pass at a time) and starts
  waiting runs while concurrency and throttles allow;
- `request_dispatch` turns a delayed timer message or the periodic sweep into a
  dispatch request;
- `run_succeeded` / `run_failed`: the state machine's last states; the run's outcome
  is recorded on its task and its concurrency slot freed;
- `run_interrupted`: an EventBridge rule's target for runs that ended without reaching
  those states (aborted, timed out, failed outside a Catch): the task is recorded
  FAILED, so it can be replayed, and the slot freed.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from conveyor.core.aws import AwsClients
from conveyor.durable.flow import DispatcherSettings, FlowDispatcher
from conveyor.durable.steps import StepState

logger = Logger()
tracer = Tracer()
metrics = Metrics()

flow = FlowDispatcher(DispatcherSettings.from_environment(), AwsClients())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def dispatch(event: dict[str, Any], context: LambdaContext) -> None:
    """Every message of the batch asks for the same thing: one pass serves them all."""
    result = flow.dispatch()
    metrics.add_metric(name="RunsStarted", unit=MetricUnit.Count, value=len(result.started))
    logger.info(
        "dispatch pass",
        extra={
            "requests": len(event.get("Records", [])),
            "started": result.started,
            "saturated": result.saturated,
            "more": result.more,
            "retryInSeconds": result.retry_in_seconds,
        },
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def request_dispatch(event: dict[str, Any], context: LambdaContext) -> None:
    flow.request_dispatch("timer" if "Records" in event else "periodic sweep")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def run_succeeded(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """`{"state": <the run's state, with its result>, "executionArn": ...}`."""
    state = StepState.model_validate(event["state"])
    released = flow.run_succeeded(state, event["executionArn"], event["state"].get("result"))
    logger.info("run succeeded", extra={"taskId": state.task_id, "run": state.run_number, "released": released})
    return {"released": released}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def run_failed(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """`{"state": <the run's state, with the caught error in "failure">, "executionArn": ...}`;
    returns the `*.failed` event detail for the state machine to publish."""
    state = StepState.model_validate(event["state"])
    detail = flow.run_failed(state, event["executionArn"], event["state"]["failure"])
    logger.warning("run failed", extra=detail)
    return detail


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def run_interrupted(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """A Step Functions Execution Status Change event (ABORTED, TIMED_OUT, FAILED)."""
    detail = event["detail"]
    released = flow.run_interrupted(detail)
    logger.info(
        "run ended",
        extra={"executionArn": detail["executionArn"], "status": detail.get("status"), "released": released},
    )
    return {"released": released}
