"""Retry waits as AWS computes them: `MaxDelaySeconds`, `JitterStrategy`, no 60 s cap.

AWS: the wait before retry n (from 0) is `IntervalSeconds × BackoffRate^n`
(defaults 1 and 2.0), capped at `MaxDelaySeconds` when given; with
`JitterStrategy: FULL` it is a random time between 0 and that value. There is
no other cap: a retrier with IntervalSeconds 120 waits 120 s.

MiniStack 1.5.33: `IntervalSeconds × BackoffRate^n` capped at 60 s, ignoring
`MaxDelaySeconds` and `JitterStrategy`: a demo step with MaxDelaySeconds 30
waits up to 60 s, and retries of many executions stay in lockstep.

Fix (upstreamable as the rule for `_retry_delay_seconds`, the function
`sfn_execution_history` extracted from MiniStack's inline code): AWS's rule.
The wait is still scaled by `LOCALCLOUD_SFN_WAIT_SCALE` (`_scaled_sleep`).
"""

from __future__ import annotations

import random
from typing import Any

from ministack.services import stepfunctions as sfn

# Keeps IntervalSeconds × BackoffRate^n a finite number of seconds for any n
# (AWS accepts MaxAttempts up to 99999999); no real wait comes near it.
_LONGEST_WAIT_SECONDS = 99_999_999.0


def apply() -> None:
    if not hasattr(sfn, "_retry_delay_seconds"):
        raise RuntimeError("sfn_retry_backoff needs sfn_execution_history applied first")
    sfn._retry_delay_seconds = retry_delay_seconds


def retry_delay_seconds(retrier: dict[str, Any], retries_so_far: int) -> float:
    interval = float(retrier.get("IntervalSeconds", 1))
    rate = float(retrier.get("BackoffRate", 2.0))
    try:
        delay = min(interval * rate**retries_so_far, _LONGEST_WAIT_SECONDS)
    except OverflowError:
        delay = _LONGEST_WAIT_SECONDS
    if "MaxDelaySeconds" in retrier:
        delay = min(delay, float(retrier["MaxDelaySeconds"]))
    if retrier.get("JitterStrategy") == "FULL":
        delay = random.uniform(0, delay)
    return delay
