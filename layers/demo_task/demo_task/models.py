"""Payloads of the durable demo task: `demo/task.requested` and what its steps return."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from conveyor.core.ids import TaskId

FLOW = "demo-task"
EVENT_SOURCE = "conveyor.demo-task"
REQUESTED = "demo/task.requested"
COMPLETED = "demo/task.completed"
FAILED = "demo/task.failed"

# The five steps, numbered as `failAtStep` counts them. Step 3 is a Wait state.
STEPS: dict[int, str] = {
    1: "initialize",
    2: "process",
    3: "simulate-delay",
    4: "simulate-api-call",
    5: "finalize",
}
LAMBDA_STEPS = (1, 2, 4, 5)
WAIT_STEP = 3


class DemoTaskRequested(BaseModel):
    """`demo/task.requested`: what a client submits, on the queue or to `POST /tasks`."""

    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=True, frozen=True)

    task_id: Annotated[TaskId, Field(alias="taskId")]
    delay_ms: Annotated[int, Field(alias="delayMs", ge=0, le=3_600_000)] = 0
    simulate_failure: Annotated[bool, Field(alias="simulateFailure")] = False
    fail_at_step: Annotated[Literal[1, 2, 4, 5], Field(alias="failAtStep")] = 4
    # Attempts that fail before the step succeeds; None with simulateFailure: every attempt fails.
    fail_times: Annotated[int | None, Field(alias="failTimes", ge=1, le=100)] = None
    # Among waiting runs, priority p orders a run as if submitted p seconds earlier.
    priority: Annotated[int, Field(ge=-600, le=600)] = 0
    # Start a new run even if this taskId was submitted inside the idempotency window.
    force: bool = False

    @model_validator(mode="after")
    def _failure_needs_simulate_failure(self) -> DemoTaskRequested:
        if self.fail_times is not None and not self.simulate_failure:
            raise ValueError("failTimes needs simulateFailure: true")
        return self

    def to_event(self) -> dict[str, Any]:
        """The run's payload (`force` is about the submission, not the run)."""
        return self.model_dump(by_alias=True, exclude_none=True, exclude={"force"})

    def injected_failure(self, step: int, attempt: int) -> Literal["transient", "permanent"] | None:
        """The failure this request asks of `step` on its `attempt`-th run (1-based)."""
        if not self.simulate_failure or step != self.fail_at_step:
            return None
        if self.fail_times is None:
            return "permanent"
        return "transient" if attempt <= self.fail_times else None


class DemoTaskResult(BaseModel):
    """What finalize gathers from every step, and what `demo/task.completed` carries."""

    model_config = ConfigDict(populate_by_name=True)

    task_id: str = Field(alias="taskId")
    status: Literal["completed"] = "completed"
    started_at: str = Field(alias="startedAt")
    completed_at: str = Field(alias="completedAt")
    duration_ms: int = Field(alias="durationMs")
    steps: dict[str, Any]
