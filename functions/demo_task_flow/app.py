"""Flow control of the demo task: the dispatcher, dispatch requests, slot release.

- `dispatch` consumes the flow's FIFO dispatch queue (one pass at a time) and
  starts waiting runs while concurrency and throttles allow.
- `request_dispatch` turns a delayed timer message or the periodic sweep into a
  dispatch request.
- `release_run_slot` frees a finished run's concurrency slot: called by the
  state machine at the end of every run, and by an EventBridge rule for runs that
  were aborted or timed out.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from conveyor.demo_task import flow

logger = Logger()
tracer = Tracer()
metrics = Metrics()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def dispatch(event: dict[str, Any], context: LambdaContext) -> None:
    """Every message of the batch asks for the same thing: one pass serves them all."""
    result = flow.dispatcher().dispatch()
    if result.more:
        flow.request_dispatch_now("the last pass ran out of time")
    if result.retry_in_seconds is not None:
        flow.request_dispatch_in(result.retry_in_seconds)
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
    reason = "timer" if "Records" in event else "periodic sweep"
    flow.request_dispatch_now(reason)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def release_run_slot(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """`{"executionArn": ...}` from the state machine, or a Step Functions
    Execution Status Change event (ABORTED, TIMED_OUT, FAILED)."""
    execution_arn = event.get("executionArn") or event["detail"]["executionArn"]
    released = flow.slots().release(execution_arn=execution_arn)
    if released:
        flow.request_dispatch_now("slot released")
    logger.info("run slot release", extra={"executionArn": execution_arn, "released": released})
    return {"released": released}
