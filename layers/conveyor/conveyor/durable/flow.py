"""A durable flow: durable tasks admitted by the flow-control engine, run by a state machine.

Every durable workload (the demo task, track ingestion) is one. Its parts, wired here
once for all of them:

- `FlowSubmitter`: what a workload's submitters (a queue consumer, an API route) use to
  queue a run or a replay and wake the dispatcher;
- `FlowDispatcher`: what the flow's dispatcher functions (template component
  `stacks/components/durable-flow.yaml`) use: one dispatcher pass, the end of a run
  (recorded on the task, its concurrency slot freed), and the release of the slot of a run
  that ended without reaching its last state.
"""

from __future__ import annotations

from typing import Any

from conveyor.core.aws import AwsClients
from conveyor.core.clock import Clock, now_ms, system_clock
from conveyor.core.settings import EnvironmentSettings, env
from conveyor.durable import outcome
from conveyor.durable.steps import StepState
from conveyor.durable.store import TaskStore
from conveyor.durable.submission import (
    QueuedRun,
    RunRequest,
    queue_new_run,
    queue_replay,
    run_execution_arn,
    start_queued_run,
)
from conveyor.flow.dispatcher import Dispatcher, DispatchResult
from conveyor.flow.limits import FlowLimits, ThrottleLimit
from conveyor.flow.slots import ConcurrencySlots
from conveyor.flow.throttle import SlidingWindowThrottle
from conveyor.flow.waiting import WaitingList
from conveyor.flow.wakeups import request_dispatch, request_dispatch_later


class FlowSettings(EnvironmentSettings):
    flow: str = env("FLOW_NAME", min_length=1)
    tasks_table: str = env("TASKS_TABLE", min_length=1)
    flow_table: str = env("FLOW_TABLE", min_length=1)
    dispatch_queue_url: str = env("DISPATCH_QUEUE_URL", min_length=1)


class DispatcherSettings(FlowSettings):
    state_machine_arn: str = env("STATE_MACHINE_ARN", pattern=r"^arn:[^:]+:states:")
    dispatch_timer_queue_url: str = env("DISPATCH_TIMER_QUEUE_URL", min_length=1)
    concurrency: int = env("FLOW_CONCURRENCY", 10, ge=1)
    throttle_limit: int = env("FLOW_THROTTLE_LIMIT", 100, ge=0)
    throttle_period_seconds: float = env("FLOW_THROTTLE_PERIOD_SECONDS", 60, gt=0)
    throttle_key: str = env("FLOW_THROTTLE_KEY", "taskId", min_length=1)
    global_throttle_limit: int = env("FLOW_GLOBAL_THROTTLE_LIMIT", 0, ge=0)
    global_throttle_period_seconds: float = env("FLOW_GLOBAL_THROTTLE_PERIOD_SECONDS", 60, gt=0)
    lease_seconds: float = env("FLOW_LEASE_SECONDS", 7200, ge=60)

    def limits(self) -> FlowLimits:
        return FlowLimits(
            concurrency=self.concurrency,
            throttle=ThrottleLimit(self.throttle_limit, self.throttle_period_seconds),
            throttle_key=self.throttle_key,
            global_throttle=ThrottleLimit(self.global_throttle_limit, self.global_throttle_period_seconds),
            lease_seconds=self.lease_seconds,
        )


class FlowSubmitter:
    def __init__(self, settings: FlowSettings, aws: AwsClients, clock: Clock = system_clock) -> None:
        self.settings = settings
        self.store = TaskStore(aws.table(settings.tasks_table), clock)
        self.waiting = WaitingList(aws.table(settings.flow_table), settings.flow)
        self._sqs = aws.client("sqs")
        self._clock = clock

    def queue_new_run(
        self,
        request: dict[str, Any],
        priority: int,
        organization: str | None = None,
        dedupe_seconds: float | None = None,
    ) -> QueuedRun:
        """A new run of `request`; unless `dedupe_seconds` is None, the current run when it was
        submitted less than that long ago (see `RunRequest`)."""
        new = RunRequest(self.settings.flow, organization, request, priority, dedupe_seconds)
        return queue_new_run(self.store, self.waiting, new, now_ms(self._clock))

    def queue_replay(self, task_id: str) -> QueuedRun:
        return queue_replay(self.store, self.waiting, task_id, now_ms(self._clock))

    def request_dispatch(self, reason: str) -> None:
        request_dispatch(self._sqs, self.settings.dispatch_queue_url, self.settings.flow, reason)


class FlowDispatcher(FlowSubmitter):
    def __init__(self, settings: DispatcherSettings, aws: AwsClients, clock: Clock = system_clock) -> None:
        super().__init__(settings, aws, clock)
        self.settings: DispatcherSettings = settings
        limits = settings.limits()
        flow_table = aws.table(settings.flow_table)
        self.slots = ConcurrencySlots(flow_table, settings.flow, limits.concurrency, limits.lease_seconds)
        self._sfn = aws.client("stepfunctions")
        self.dispatcher = Dispatcher(
            waiting=self.waiting,
            slots=self.slots,
            throttle=SlidingWindowThrottle(flow_table, settings.flow),
            limits=limits,
            start_run=lambda run, admitted_ms: start_queued_run(
                self._sfn, self.store, settings.state_machine_arn, run, admitted_ms
            ),
            execution_arn_of=lambda run: run_execution_arn(settings.state_machine_arn, run),
            is_running=self.execution_is_running,
            clock=clock,
        )

    def dispatch(self) -> DispatchResult:
        """One pass; asks for the next one when this one ran out of time or a throttle window reopens later."""
        result = self.dispatcher.dispatch()
        if result.more:
            self.request_dispatch("the last pass ran out of time")
        if result.retry_in_seconds is not None:
            request_dispatch_later(
                self._sqs, self.settings.dispatch_timer_queue_url, self.settings.flow, result.retry_in_seconds
            )
        return result

    def run_succeeded(self, state: StepState, execution_arn: str, result: Any) -> bool:
        outcome.record_succeeded(self.store, state, result)
        return self.release(execution_arn)

    def run_failed(self, state: StepState, execution_arn: str, failure: dict[str, str]) -> dict[str, Any]:
        detail = outcome.record_failed(self.store, state, failure)
        self.release(execution_arn)
        return detail

    def run_interrupted(self, detail: dict[str, Any]) -> bool:
        """An execution ended without reaching its last states (its status-change event's
        detail): the task's run is recorded FAILED (replayable) and its slot freed."""
        outcome.record_interrupted(self.store, detail)
        return self.release(str(detail["executionArn"]))

    def release(self, execution_arn: str) -> bool:
        """Free the slot of the run whose execution is `execution_arn`; the next run may start."""
        released = self.slots.release(execution_arn=execution_arn)
        if released:
            self.request_dispatch("slot released")
        return released

    def execution_is_running(self, execution_arn: str) -> bool:
        try:
            return self._sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
        except self._sfn.exceptions.ExecutionDoesNotExist:
            return False
