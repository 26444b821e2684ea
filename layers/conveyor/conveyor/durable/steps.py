"""Memoized steps: within a run, a step that succeeded never executes again.

A state machine passes every Lambda step the same state: the task payload, the
run number and the results of the steps before it. `durable_step` records each
attempt in the task store and, when the step already succeeded in this run (a
replay of a failed run), returns the stored result instead of executing it.
A step is found by its name, so a step renamed in a new deployment runs again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ConfigDict

from conveyor.durable.errors import SupersededRunError, error_details
from conveyor.durable.store import StepAlreadySucceeded, TaskStore, task_store

logger = Logger(child=True)


class StepState(BaseModel):
    """The state machine's state, as every step receives it."""

    model_config = ConfigDict(extra="allow")

    task: dict[str, Any]
    run: int = 1
    steps: dict[str, Any] = {}

    @property
    def task_id(self) -> str:
        return str(self.task["taskId"])


@dataclass(frozen=True)
class StepRun:
    """One attempt of one step.

    A step's effects on the system are DynamoDB writes it adds to `effects`:
    they are committed in one transaction with the step's success, so a step
    whose worker dies before that commit has applied nothing, and one that dies
    after it is never run again.
    """

    task: dict[str, Any]
    run: int
    attempt: int
    previous: dict[str, Any] = field(default_factory=dict)
    effects: list[dict[str, Any]] = field(default_factory=list)


def durable_step(name: str) -> Callable[[Callable[[StepRun], Any]], Callable[[dict, Any], Any]]:
    """Turn `fn(StepRun) -> result` into a Lambda handler that records and memoizes it."""

    def decorator(fn: Callable[[StepRun], Any]) -> Callable[[dict, Any], Any]:
        @functools.wraps(fn)
        def handler(event: dict, _context: Any) -> Any:
            state = StepState.model_validate(event)
            store = task_store()
            where = {"taskId": state.task_id, "run": state.run, "step": name}
            try:
                attempt = store.start_attempt(state.task_id, state.run, name)
            except StepAlreadySucceeded as done:  # a replay: the stored result stands
                store.step_reused(state.task_id, name)
                logger.info("step reused", extra=where)
                return done.record.result  # type: ignore[union-attr]
            step = StepRun(task=state.task, run=state.run, attempt=attempt, previous=state.steps)
            try:
                result = fn(step)
            except Exception as error:
                store.step_failed(state.task_id, state.run, name, error_details(error))
                logger.warning("step failed", extra={**where, "attempt": attempt, "error": error_details(error)})
                raise
            try:
                store.step_succeeded(state.task_id, state.run, name, result, step.effects)
            except StepAlreadySucceeded:
                return _result_committed_earlier(store, state, name)
            logger.info("step succeeded", extra={**where, "attempt": attempt})
            return result

        return handler

    return decorator


def _result_committed_earlier(store: TaskStore, state: StepState, name: str) -> Any:
    """An earlier attempt of this run committed first: its result stands."""
    record = store.get_step(state.task_id, name)
    if record is None or record.run != state.run or not record.succeeded:
        raise SupersededRunError(f"run {state.run} of {state.task_id} was replaced by a newer run")
    return record.result
