"""The evaluation dispatcher: one pass per batch of dispatch requests from its FIFO queue
(one message group: one pass at a time). A pass completes the runs that ended and
releases probe jobs from the runs' plans, HIGH before NORMAL before LOW, while the probe
queue has room (`evaluation.release`).

A pass is idempotent, and a failed one is not retried from its batch: retrying would hold
up every later request of the FIFO group behind it. It is logged, and the next request (a
worker batch ends every few moments while jobs run) or the sweep within a minute runs the
pass again.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from conveyor.core.aws import AwsClients
from evaluation.dispatcher import EvaluationDispatcher
from evaluation.wakeups import DispatchRequest

logger = Logger()
tracer = Tracer()
metrics = Metrics()

dispatcher = EvaluationDispatcher.from_environment(AwsClients())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    requests = [DispatchRequest.model_validate(json.loads(record["body"])) for record in event["Records"]]
    try:
        report = dispatcher.dispatch(requests)
    except Exception:
        logger.exception("dispatch pass failed; the next request or the sweep runs it again")
        metrics.add_metric(name="EvaluationDispatchFailures", unit=MetricUnit.Count, value=1)
        return {"failed": True}
    released = sum(report.released.values())
    metrics.add_metric(name="EvaluationJobsReleased", unit=MetricUnit.Count, value=released)
    metrics.add_metric(name="EvaluationRunsCompleted", unit=MetricUnit.Count, value=len(report.completed))
    if released or report.completed or report.resent:
        logger.info("dispatch pass", extra={"released": report.released, "completed": report.completed})
    return {"released": released, "completed": report.completed, "resent": report.resent, "free": report.free}
