"""The limits of a flow, read once from the dispatcher's environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class ThrottleLimit:
    """At most `limit` run starts in any `period_seconds` window; 0 turns it off."""

    limit: int
    period_seconds: float

    @property
    def enabled(self) -> bool:
        return self.limit > 0


@dataclass(frozen=True)
class FlowLimits:
    concurrency: int = 10
    throttle: ThrottleLimit = ThrottleLimit(100, 60)
    # JMESPath into the submitted payload: each distinct value has its own throttle.
    throttle_key: str = "taskId"
    global_throttle: ThrottleLimit = ThrottleLimit(0, 60)
    # A slot whose run vanished without a word comes back after this long.
    lease_seconds: float = 7200


@cache
def flow_limits() -> FlowLimits:
    env = os.environ
    defaults = FlowLimits()
    return FlowLimits(
        concurrency=int(env.get("FLOW_CONCURRENCY", defaults.concurrency)),
        throttle=ThrottleLimit(
            int(env.get("FLOW_THROTTLE_LIMIT", defaults.throttle.limit)),
            float(env.get("FLOW_THROTTLE_PERIOD_SECONDS", defaults.throttle.period_seconds)),
        ),
        throttle_key=env.get("FLOW_THROTTLE_KEY", defaults.throttle_key),
        global_throttle=ThrottleLimit(
            int(env.get("FLOW_GLOBAL_THROTTLE_LIMIT", defaults.global_throttle.limit)),
            float(env.get("FLOW_GLOBAL_THROTTLE_PERIOD_SECONDS", defaults.global_throttle.period_seconds)),
        ),
        lease_seconds=float(env.get("FLOW_LEASE_SECONDS", defaults.lease_seconds)),
    )
