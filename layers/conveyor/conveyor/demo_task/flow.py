"""The demo task's flow: its waiting list, dispatcher and slot release, wired to
the tables, queues and state machine the template configures."""

from __future__ import annotations

from conveyor.aws import client, table
from conveyor.durable.store import task_store
from conveyor.durable.submission import run_execution_arn, start_queued_run
from conveyor.flow.dispatcher import Dispatcher
from conveyor.flow.limits import flow_limits
from conveyor.flow.slots import ConcurrencySlots
from conveyor.flow.throttle import SlidingWindowThrottle
from conveyor.flow.waiting import WaitingList, WaitingRun
from conveyor.flow.wakeups import request_dispatch, request_dispatch_later
from conveyor.settings import settings

FLOW = "demo-task"


def waiting_list() -> WaitingList:
    return WaitingList(table(settings().flow_table), FLOW)


def slots() -> ConcurrencySlots:
    limits = flow_limits()
    return ConcurrencySlots(table(settings().flow_table), FLOW, limits.concurrency, limits.lease_seconds)


def dispatcher() -> Dispatcher:
    state_machine_arn = settings().demo_task_state_machine_arn

    def start(run: WaitingRun, start_ms: int) -> bool:
        return start_queued_run(task_store(), state_machine_arn, run, start_ms)

    return Dispatcher(
        waiting=waiting_list(),
        slots=slots(),
        throttle=SlidingWindowThrottle(table(settings().flow_table), FLOW),
        limits=flow_limits(),
        start_run=start,
        execution_arn_of=lambda run: run_execution_arn(state_machine_arn, run),
        is_running=execution_is_running,
    )


def execution_is_running(execution_arn: str) -> bool:
    sfn = client("stepfunctions")
    try:
        return sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    except sfn.exceptions.ExecutionDoesNotExist:
        return False


def request_dispatch_now(reason: str) -> None:
    request_dispatch(settings().dispatch_queue_url, FLOW, reason)


def request_dispatch_in(seconds: float) -> None:
    request_dispatch_later(settings().dispatch_timer_queue_url, FLOW, seconds)
