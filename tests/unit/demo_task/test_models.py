from __future__ import annotations

import pytest
from pydantic import ValidationError

from demo_task.models import DemoTaskRequested


def invalid_fields(payload: dict) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        DemoTaskRequested.model_validate(payload)
    return {".".join(str(part) for part in error["loc"]) for error in caught.value.errors()}


def test_minimal_request_takes_the_defaults() -> None:
    request = DemoTaskRequested.model_validate({"taskId": "t-1"})
    assert request.to_event() == {
        "taskId": "t-1",
        "delayMs": 0,
        "simulateFailure": False,
        "failAtStep": 4,
        "priority": 0,
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "taskId"),
        ({"taskId": ""}, "taskId"),
        ({"taskId": "has space"}, "taskId"),
        ({"taskId": 7}, "taskId"),
        ({"taskId": "t", "priority": 601}, "priority"),
        ({"taskId": "t", "priority": -601}, "priority"),
        ({"taskId": "t", "delayMs": "100"}, "delayMs"),
        ({"taskId": "t", "delayMs": -1}, "delayMs"),
        ({"taskId": "t", "simulateFailure": "yes"}, "simulateFailure"),
        ({"taskId": "t", "simulateFailure": True, "failAtStep": 3}, "failAtStep"),
        ({"taskId": "t", "unknown": 1}, "unknown"),
    ],
)
def test_a_bad_field_is_named(payload: dict, field: str) -> None:
    assert field in invalid_fields(payload)


def test_fail_times_needs_simulate_failure() -> None:
    with pytest.raises(ValidationError, match="failTimes needs simulateFailure"):
        DemoTaskRequested.model_validate({"taskId": "t", "failTimes": 2})


def test_transient_failure_lasts_fail_times_attempts() -> None:
    request = DemoTaskRequested.model_validate({"taskId": "t", "simulateFailure": True, "failTimes": 2})
    assert [request.injected_failure(4, attempt) for attempt in (1, 2, 3)] == ["transient", "transient", None]
    assert request.injected_failure(2, 1) is None


def test_failure_without_fail_times_is_permanent() -> None:
    request = DemoTaskRequested.model_validate({"taskId": "t", "simulateFailure": True, "failAtStep": 2})
    assert request.injected_failure(2, 99) == "permanent"
    assert request.injected_failure(4, 1) is None
