"""An invocation whose handler prints nothing returns when the handler returns.

AWS: a synchronous invoke answers as soon as the handler returns; its log lines
reach CloudWatch Logs on their own.

MiniStack 1.5.33: after every warm invocation the worker pool waits for the
handler's log lines on stderr, and when none came it waits its full
`first_line_wait` of 50 ms before answering: every silent invocation (a GET route
that logs nothing, a small step) costs 50 ms more than the work it did.

Fix (upstreamable as a smaller default in `Worker._drain_stderr_bounded`): wait
at most 5 ms for a first line. A handler's lines are written before its result,
so they are already in the pipe; a line that still arrives later is collected
with the next invocation's log instead of being lost. This changes latency
only, so it has no behaviour test: `bench/local_cloud.py` reports the invoke
latency of a silent handler.
"""

from __future__ import annotations

import functools

from ministack.core import lambda_runtime

FIRST_LINE_WAIT_SECONDS = 0.005


def apply() -> None:
    drain = lambda_runtime.Worker._drain_stderr_bounded
    lambda_runtime.Worker._drain_stderr_bounded = functools.partialmethod(
        drain, first_line_wait=FIRST_LINE_WAIT_SECONDS
    )
