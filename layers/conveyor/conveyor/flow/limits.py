"""The limits of a flow: concurrency, throttles, the lease of a slot."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThrottleLimit:
    """At most `limit` run starts in any `period_seconds` window; 0 turns it off."""

    limit: int
    period_seconds: float

    @property
    def enabled(self) -> bool:
        return self.limit > 0


@dataclass(frozen=True, kw_only=True)
class FlowLimits:
    concurrency: int = 10
    throttle: ThrottleLimit = ThrottleLimit(100, 60)
    # JMESPath into the submitted payload: each distinct value has its own throttle.
    throttle_key: str = "taskId"
    global_throttle: ThrottleLimit = ThrottleLimit(0, 60)
    # A slot whose run vanished without a word comes back after this long.
    lease_seconds: float = 7200

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
