"""What each Lambda step of the demo task does. Step 3 (simulate-delay) is the state
machine's Wait state, driven by `delaySeconds` from initialize."""

from __future__ import annotations

import hashlib
import json
import math
import time
from datetime import datetime
from typing import Any

from conveyor.core.clock import now_iso
from conveyor.core.errors import PermanentError, TransientError
from conveyor.durable.steps import StepRun
from demo_task.models import STEPS, DemoTaskRequested, DemoTaskResult

PROCESSING_SECONDS = 0.1


def initialize(step: StepRun) -> dict[str, Any]:
    request = _request_failing_if_asked(step, 1)
    # A Wait state counts whole seconds: a delay of 1-999 ms waits 1 s.
    return {"startedAt": now_iso(), "delaySeconds": math.ceil(request.delay_ms / 1000)}


def process(step: StepRun) -> dict[str, Any]:
    request = _request_failing_if_asked(step, 2)
    time.sleep(PROCESSING_SECONDS)  # the placeholder's ~100 ms of work
    digest = hashlib.sha256(json.dumps(request.to_event(), sort_keys=True).encode()).hexdigest()
    step.count("processedCount")  # the step's effect, applied exactly once with its success
    return {"processedAt": now_iso(), "digest": digest}


def simulate_api_call(step: StepRun) -> dict[str, Any]:
    _request_failing_if_asked(step, 4)
    step.count("apiCallCount")
    return {"calledAt": now_iso(), "attempt": step.attempt, "response": {"status": 200}}


def finalize(step: StepRun) -> dict[str, Any]:
    request = _request_failing_if_asked(step, 5)
    started_at = step.previous["initialize"]["startedAt"]
    completed_at = now_iso()
    result = DemoTaskResult(
        task_id=request.task_id,
        started_at=started_at,
        completed_at=completed_at,
        duration_ms=_milliseconds_between(started_at, completed_at),
        steps=dict(step.previous),
    )
    return result.model_dump(by_alias=True)


def _request_failing_if_asked(step: StepRun, number: int) -> DemoTaskRequested:
    request = DemoTaskRequested.model_validate(step.task)
    failure = request.injected_failure(number, step.attempt)
    name = STEPS[number]
    if failure == "permanent":
        raise PermanentError(f"{name} failed permanently (simulateFailure, failAtStep={number})")
    if failure == "transient":
        raise TransientError(f"{name} failed on attempt {step.attempt} of {request.fail_times} failing attempts")
    return request


def _milliseconds_between(start: str, end: str) -> int:
    parse = datetime.fromisoformat
    return int((parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds() * 1000)
