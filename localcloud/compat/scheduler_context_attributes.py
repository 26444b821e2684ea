"""EventBridge Scheduler fills in the context attributes of a target's `Input`.

AWS: in a schedule's target `Input`, `<aws.scheduler.scheduled-time>`,
`<aws.scheduler.schedule-arn>`, `<aws.scheduler.execution-id>` and
`<aws.scheduler.attempt-number>` are replaced by their values when the
schedule invokes the target (e.g. "2026-11-23T12:00:00Z").

MiniStack 1.5.33: the Input is delivered as written, so a target receives the
literal `<aws.scheduler.scheduled-time>` and cannot tell one firing from another.

Fix (upstreamable in `scheduler._tick_schedules`): when the scheduler dispatches
a target, the four keywords in its Input are replaced. The scheduled time is
the sweep's time to the second (MiniStack sweeps every 10 s), where AWS gives
the nominal time of the occurrence. Its test is
tests/integration/test_jobs_schedules.py::test_an_eventbridge_scheduler_firing_creates_jobs_named_by_its_time
(a real schedule firing the job scheduler, whose job ids carry the time).
"""

from __future__ import annotations

import functools
import time
from typing import Any

from ministack.services import eventbridge

_SOURCE = "aws.scheduler"


def apply() -> None:
    eventbridge._invoke_target = _with_context_attributes(eventbridge._invoke_target)


def context_attributes(event: dict[str, Any]) -> dict[str, str]:
    fired = float(event.get("Time") or time.time())
    return {
        "<aws.scheduler.scheduled-time>": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(fired)),
        "<aws.scheduler.schedule-arn>": (event.get("Resources") or [""])[0],
        "<aws.scheduler.execution-id>": str(event.get("EventId", "")),
        "<aws.scheduler.attempt-number>": "1",
    }


def _with_context_attributes(invoke_target: Any) -> Any:
    @functools.wraps(invoke_target)
    def wrapper(target: dict, event: dict, *args: Any, **kwargs: Any) -> Any:
        if event.get("Source") == _SOURCE and isinstance(target.get("Input"), str):
            text = target["Input"]
            for keyword, value in context_attributes(event).items():
                text = text.replace(keyword, value)
            target = {**target, "Input": text}
        return invoke_target(target, event, *args, **kwargs)

    return wrapper
