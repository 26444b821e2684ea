"""Asking the dispatcher for a pass: a message on its FIFO queue, one message group.

One group means one pass at a time (SQS hands a FIFO group's messages to one consumer
at a time, and the dispatcher takes up to ten per pass), so passes never race each other
for the queue's capacity. A request names the runs whose jobs ended, for the pass to
check whether they are complete.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from pydantic import Field

from conveyor.core.models import ApiModel

logger = Logger(child=True)

GROUP = "evaluation-dispatch"
_MAX_RUNS = 100


class DispatchRequest(ApiModel):
    reason: Annotated[str, Field(max_length=200)]
    runs: Annotated[list[str], Field(max_length=_MAX_RUNS)] = []


class Wakeups:
    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs = sqs
        self._url = queue_url

    def request(self, reason: str, runs: Iterable[str] = ()) -> bool:
        """Ask for a pass; False (logged) when the request could not be sent: the periodic
        sweep makes the pass within a minute."""
        body = DispatchRequest(reason=reason, runs=sorted(set(runs))[:_MAX_RUNS])
        try:
            self._sqs.send_message(
                QueueUrl=self._url,
                MessageBody=json.dumps(body.model_dump(mode="json")),
                MessageGroupId=GROUP,
                MessageDeduplicationId=uuid.uuid4().hex,
            )
        except Exception as error:  # the sweep is the fallback; the caller's work is done
            logger.warning("dispatch request not sent", extra={"reason": reason, "error": str(error)})
            return False
        return True
