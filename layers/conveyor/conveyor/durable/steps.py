"""Memoized steps: within a run, a step that succeeded never executes again.

A state machine passes every Lambda step the same state: the task's request, the run
number and the results of the steps before it. `DurableSteps.handler` turns a step
function into a Lambda handler that records each attempt in the task store and, when
the step already succeeded in this run (a replay of a failed run), returns the stored
result instead of executing it. A step is found by its name, so a step renamed in a
new deployment runs again.

A step's effects on the system are DynamoDB writes it adds to `StepRun.effects` (a
`Transaction`): they commit in one transaction with the step's success, so a step
whose worker dies before that commit applied nothing, and one that dies after it is
never run again.

Errors reach Step Functions in the core vocabulary: a `PermanentError` of any kind, or
a payload that fails validation, is raised as `PermanentError` (the state machines do
not retry it); anything else keeps its name and is retried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ConfigDict, ValidationError

from conveyor.core import validation
from conveyor.core.dynamo import Transaction
from conveyor.core.errors import PermanentError, error_details
from conveyor.durable.store import StepAlreadySucceeded, SupersededRun, TaskStore, commit_step

logger = Logger(child=True)

StepHandler = Callable[[dict, Any], Any]


class StepState(BaseModel):
    """The state machine's state, as every step receives it."""

    model_config = ConfigDict(extra="allow")

    task: dict[str, Any]
    # Set by the dispatcher when it starts a submitted run; absent when an execution
    # was started directly, whose steps then register the task (once: if absent).
    run: int | None = None
    execution_arn: str | None = None
    steps: dict[str, Any] = {}

    @property
    def task_id(self) -> str:
        return str(self.task["taskId"])

    @property
    def run_number(self) -> int:
        return self.run or 1


@dataclass(frozen=True)
class StepRun:
    """One attempt of one step: what it may read, and the transaction its effects join."""

    store: TaskStore
    task: dict[str, Any]
    run: int
    attempt: int
    previous: dict[str, Any]
    effects: Transaction

    @property
    def task_id(self) -> str:
        return str(self.task["taskId"])

    def count(self, counter: str) -> None:
        """An effect: one more of the task's `counter`, applied exactly once with this step."""
        self.store.count(self.effects, self.task_id, counter)


class DurableSteps:
    """The steps of one durable flow, recorded in `store`."""

    def __init__(self, store: TaskStore, flow: str) -> None:
        self._store = store
        self._flow = flow

    def handler(self, name: str, step: Callable[[StepRun], Any]) -> StepHandler:
        """`step(StepRun) -> result` as a Lambda handler that records and memoizes it."""

        def handle(event: dict, _context: Any) -> Any:
            try:
                return self._run(name, step, StepState.model_validate(event))
            except PermanentError as error:
                if type(error) is PermanentError:
                    raise
                raise PermanentError(f"{type(error).__name__}: {error}") from error
            except ValidationError as error:
                raise PermanentError(f"ValidationError: {validation.describe(error)}") from error

        handle.__name__ = handle.__qualname__ = step.__name__
        handle.step_name = name  # type: ignore[attr-defined]  # read by the state machines' structural test
        return handle

    def _run(self, name: str, step: Callable[[StepRun], Any], state: StepState) -> Any:
        store, task_id, run = self._store, state.task_id, state.run_number
        where = {"taskId": task_id, "run": run, "step": name}
        if state.run is None:  # started directly, not by the dispatcher: make the task visible
            store.register_run(self._flow, task_id, run, state.task, state.execution_arn)
        try:
            attempt = store.start_attempt(task_id, run, name)
        except StepAlreadySucceeded as done:  # a replay: the stored result stands
            store.step_reused(task_id, name)
            logger.info("step reused", extra=where)
            return done.record.result  # type: ignore[union-attr]
        effects = store.transaction()
        current = StepRun(store, state.task, run, attempt, state.steps, effects)
        try:
            result = step(current)
        except Exception as error:
            store.step_failed(task_id, run, name, error_details(error))
            logger.warning("step failed", extra={**where, "attempt": attempt, "error": error_details(error)})
            raise
        success = store.step_succeeded(effects, task_id, run, name, result)
        try:
            commit_step(effects, success)
        except StepAlreadySucceeded:
            return self._result_committed_earlier(task_id, run, name)
        logger.info("step succeeded", extra={**where, "attempt": attempt})
        return result

    def _result_committed_earlier(self, task_id: str, run: int, name: str) -> Any:
        """An earlier attempt of this run committed first: its result stands."""
        record = self._store.get_step(task_id, name)
        if record is None or record.run != run or not record.succeeded:
            raise SupersededRun(f"run {run} of {task_id} was replaced by a newer run")
        return record.result
