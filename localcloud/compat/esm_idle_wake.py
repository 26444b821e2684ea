"""A message sent to a mapped queue reaches its handler within milliseconds.

AWS: an SQS event source mapping long-polls its queue; a message sent to an idle
queue is received as soon as it is visible and the function is invoked with it
(tens of milliseconds of service overhead, none of it a fixed wait).

MiniStack 1.5.33: one poller thread serves every mapping. A send wakes it; a wake
whose pass finds nothing to deliver (a send to an unmapped queue, a message not yet
visible, another mapping's traffic) makes it sleep `_ESM_IDLE_WAKE_GAP_SECONDS`,
50 ms, before it waits for the next wake, so under mixed traffic a message waits up
to 50 ms more than its delivery needs: that pause was the whole of the 22 ms p50 /
59 ms p99 message-to-handler latency measured by `bench/local_cloud.py`.

Fix (upstreamable as a smaller constant): 5 ms, still a pause, so a stream of wakes
that find nothing cannot spin the poller. Latency only: `bench/local_cloud.py`
("SQS message to handler") reports it.
"""

from __future__ import annotations

from ministack.services import lambda_svc

IDLE_WAKE_GAP_SECONDS = 0.005


def apply() -> None:
    if not hasattr(lambda_svc, "_ESM_IDLE_WAKE_GAP_SECONDS"):
        raise RuntimeError("MiniStack's ESM poller changed: esm_idle_wake fix needs review")
    lambda_svc._ESM_IDLE_WAKE_GAP_SECONDS = IDLE_WAKE_GAP_SECONDS
