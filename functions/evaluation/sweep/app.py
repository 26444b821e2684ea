"""Every minute: asks the evaluation dispatcher for a sweep pass (through its FIFO queue, so
it never runs beside another pass): stalled jobs sent again, every active run checked for
completion, and a release, whatever event may have been lost."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from conveyor.core.aws import AwsClients
from evaluation.dispatcher import SWEEP, sweep_requester

logger = Logger()

wakeups = sweep_requester(AwsClients())


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return {"requested": wakeups.request(SWEEP)}
