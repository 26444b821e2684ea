"""Asking a flow's dispatcher to run.

Dispatch requests go to the flow's FIFO queue under one message group, so one
dispatcher pass runs at a time per flow and passes see each other's writes. A
dispatch needed later (a throttle window reopening) goes through a standard
queue with a delivery delay, whose consumer turns it into a dispatch request.
"""

from __future__ import annotations

import json
import math
import uuid
from typing import Any

MAX_DELAY_SECONDS = 900  # SQS DelaySeconds limit; a longer wait is re-scheduled on arrival


def request_dispatch(sqs: Any, queue_url: str, flow: str, reason: str) -> None:
    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps({"flow": flow, "reason": reason}),
        MessageGroupId=flow,
        MessageDeduplicationId=uuid.uuid4().hex,
    )


def request_dispatch_later(sqs: Any, timer_queue_url: str, flow: str, delay_seconds: float) -> None:
    sqs.send_message(
        QueueUrl=timer_queue_url,
        MessageBody=json.dumps({"flow": flow, "reason": "throttle window reopens"}),
        DelaySeconds=min(MAX_DELAY_SECONDS, max(0, math.ceil(delay_seconds))),
    )
