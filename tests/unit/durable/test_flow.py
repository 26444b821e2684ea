"""Flow control pieces on moto DynamoDB: waiting list, slots, throttle, dispatcher."""

from __future__ import annotations

import boto3
import pytest

from conveyor.core.aws import AwsClients
from conveyor.core.dynamo import Transaction
from conveyor.flow.dispatcher import Dispatcher
from conveyor.flow.limits import FlowLimits, ThrottleLimit
from conveyor.flow.slots import ConcurrencySlots
from conveyor.flow.throttle import SlidingWindowThrottle, ThrottleConflict, Window
from conveyor.flow.waiting import WaitingList, WaitingRun

from ..conftest import DurableResources

FLOW = "unit-flow"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def waiting_run(task_id: str, priority: int = 0, submitted_ms: int = 1_800_000_000_000, **task: object) -> WaitingRun:
    return WaitingRun(task_id, 1, 0, {"taskId": task_id, **task}, priority, submitted_ms)


def add(waiting: WaitingList, *runs: WaitingRun) -> None:
    for run in runs:
        tx = Transaction(boto3.resource("dynamodb").meta.client)
        waiting.add(tx, run)
        tx.commit()


@pytest.fixture
def parts(durable: DurableResources) -> dict:
    flow_table = AwsClients().table(durable.flow_table)
    return {
        "waiting": WaitingList(flow_table, FLOW),
        "throttle": SlidingWindowThrottle(flow_table, FLOW),
        "slots": lambda capacity, lease=3600: ConcurrencySlots(flow_table, FLOW, capacity, lease),
    }


class Recorder:
    """Stands in for starting executions: remembers what started when."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.started: list[tuple[str, int]] = []
        self.executions: set[str] = set()
        self.running: set[str] = set()

    def start(self, run: WaitingRun, start_ms: int) -> bool:
        arn = self.arn_of(run)
        if arn in self.executions:
            return False
        self.executions.add(arn)
        self.started.append((run.task_id, start_ms))
        self.running.add(arn)
        return True

    @staticmethod
    def arn_of(run: WaitingRun) -> str:
        return f"arn:execution:{run.run_id}"

    def is_running(self, arn: str) -> bool:
        return arn in self.running


def dispatcher(parts: dict, limits: FlowLimits, clock: Clock, recorder: Recorder) -> Dispatcher:
    return Dispatcher(
        parts["waiting"],
        parts["slots"](limits.concurrency),
        parts["throttle"],
        limits,
        recorder.start,
        recorder.arn_of,
        recorder.is_running,
        clock,
    )


NO_THROTTLE = ThrottleLimit(0, 60)


def test_priority_orders_runs_as_if_submitted_that_many_seconds_earlier(parts: dict) -> None:
    base = 1_800_000_000_000
    add(
        parts["waiting"],
        waiting_run("late-urgent", priority=300, submitted_ms=base + 200_000),  # as if at base - 100 s
        waiting_run("first", submitted_ms=base),
        waiting_run("early-low", priority=-300, submitted_ms=base - 200_000),  # as if at base + 100 s
    )
    assert [run.task_id for run in parts["waiting"].in_order()] == ["late-urgent", "first", "early-low"]


def test_slots_are_capped_idempotent_per_run_and_reclaimed_after_their_lease(parts: dict) -> None:
    slots = parts["slots"](2, 10)
    now = 1_000_000
    a, b = slots.acquire("a", "arn:a", now), slots.acquire("b", "arn:b", now)
    assert a and b and a.index != b.index
    assert slots.acquire("c", "arn:c", now) is None
    assert slots.acquire("a", "arn:a", now).index == a.index  # the slot it already holds

    assert slots.release(run_id="a")
    assert slots.acquire("c", "arn:c", now + 5_000).index == a.index
    assert slots.acquire("d", "arn:d", now + 10_000).index == b.index  # b's lease ran out


def test_a_slot_is_released_by_its_execution(parts: dict) -> None:
    slots = parts["slots"](1)
    slots.acquire("a", "arn:a", 0)
    assert slots.release(execution_arn="arn:a")
    assert not slots.release(execution_arn="arn:a")
    assert slots.held() == []


def test_a_window_admits_limit_starts_per_period() -> None:
    limit = ThrottleLimit(2, 1)
    assert Window([], [], 0).next_start_ms(limit, 5_000) == 5_000
    assert Window([5_000], ["a"], 1).next_start_ms(limit, 5_100) == 5_100
    assert Window([5_000, 5_100], ["a", "b"], 2).next_start_ms(limit, 5_200) == 6_000
    assert Window([5_000, 5_100], ["a", "b"], 2).next_start_ms(limit, 6_000) == 6_000


def test_recording_a_start_is_conditional_and_once_per_run(parts: dict) -> None:
    throttle, limit = parts["throttle"], ThrottleLimit(2, 60)
    stale = throttle.window("k")
    throttle.record("k", limit, stale, "a", 1)
    throttle.record("k", limit, throttle.window("k"), "a", 2)  # the same run again: no change
    assert throttle.window("k").starts_ms == [1]
    with pytest.raises(ThrottleConflict):
        throttle.record("k", limit, stale, "b", 3)


def test_dispatch_starts_runs_in_order_up_to_the_concurrency(parts: dict) -> None:
    clock, recorder = Clock(), Recorder(Clock())
    add(parts["waiting"], *(waiting_run(f"t{i}", submitted_ms=1_000 + i) for i in range(4)))

    result = dispatcher(parts, FlowLimits(concurrency=2, throttle=NO_THROTTLE), clock, recorder).dispatch()

    assert [task for task, _ in recorder.started] == ["t0", "t1"]
    assert result.saturated
    assert [run.task_id for run in parts["waiting"].in_order()] == ["t2", "t3"]


def test_a_run_whose_execution_ended_without_release_gives_its_slot_back(parts: dict) -> None:
    clock, recorder = Clock(), Recorder(Clock())
    limits = FlowLimits(concurrency=1, throttle=NO_THROTTLE)
    add(parts["waiting"], waiting_run("t0"))
    dispatcher(parts, limits, clock, recorder).dispatch()
    add(parts["waiting"], waiting_run("t1"))
    recorder.running.clear()  # t0's execution ended; its release was lost

    clock.now += 1  # too soon to suspect it
    assert dispatcher(parts, limits, clock, recorder).dispatch().saturated
    clock.now += 10
    dispatcher(parts, limits, clock, recorder).dispatch()
    assert [task for task, _ in recorder.started] == ["t0", "t1"]


def test_a_throttled_key_waits_while_other_keys_start(parts: dict) -> None:
    clock, recorder = Clock(), Recorder(Clock())
    limits = FlowLimits(concurrency=10, throttle=ThrottleLimit(1, 2), throttle_key="customer")
    add(
        parts["waiting"],
        waiting_run("a1", customer="a", submitted_ms=1),
        waiting_run("a2", customer="a", submitted_ms=2),
        waiting_run("b1", customer="b", submitted_ms=3),
    )

    result = dispatcher(parts, limits, clock, recorder).dispatch()

    assert [task for task, _ in recorder.started] == ["a1", "b1"]
    assert result.retry_in_seconds == pytest.approx(2, abs=0.01)
    clock.now += 2
    dispatcher(parts, limits, clock, recorder).dispatch()
    assert [task for task, _ in recorder.started] == ["a1", "b1", "a2"]


def test_the_global_throttle_holds_every_run(parts: dict) -> None:
    clock, recorder = Clock(), Recorder(Clock())
    limits = FlowLimits(concurrency=10, throttle=NO_THROTTLE, global_throttle=ThrottleLimit(2, 5))
    add(parts["waiting"], *(waiting_run(f"t{i}", submitted_ms=i) for i in range(5)))

    starts = []
    for _ in range(3):
        result = dispatcher(parts, limits, clock, recorder).dispatch()
        starts.append(len(result.started))
        clock.now += result.retry_in_seconds or 0

    assert starts == [2, 2, 1]
    times = [ms for _, ms in recorder.started]
    assert all(later - earlier >= 5_000 for earlier, later in zip(times, times[2:], strict=False))


def test_a_pass_that_died_after_recording_a_start_is_completed_once(parts: dict) -> None:
    clock, recorder = Clock(), Recorder(Clock())
    limits = FlowLimits(concurrency=1, throttle=NO_THROTTLE, global_throttle=ThrottleLimit(1, 60))
    add(parts["waiting"], waiting_run("t0"))

    def start_then_die(run: WaitingRun, start_ms: int) -> bool:
        raise RuntimeError("the dispatcher's worker died")

    crashing = dispatcher(parts, limits, clock, recorder)
    crashing._start_run = start_then_die
    with pytest.raises(RuntimeError):
        crashing.dispatch()

    result = dispatcher(parts, limits, clock, recorder).dispatch()  # the redelivered request

    assert result.started == ["t0#1#0"]  # not held back by its own recorded start
    assert parts["throttle"].window("global").run_ids == ["t0#1#0"]


def test_a_run_started_by_a_pass_that_died_and_already_ended_keeps_no_slot(parts: dict) -> None:
    clock, recorder = Clock(), Recorder(Clock())
    limits = FlowLimits(concurrency=1, throttle=NO_THROTTLE)
    run = waiting_run("t0")
    add(parts["waiting"], run)
    recorder.start(run, 0)  # the pass that died had started it; it has ended since
    recorder.running.clear()

    result = dispatcher(parts, limits, clock, recorder).dispatch()

    assert result.started == []
    assert list(parts["waiting"].in_order()) == []
    assert parts["slots"](1).held() == []


def test_a_long_pass_stops_and_asks_for_another(parts: dict) -> None:
    clock, recorder = Clock(), Recorder(Clock())
    add(parts["waiting"], *(waiting_run(f"t{i}", submitted_ms=i) for i in range(3)))
    slow = dispatcher(parts, FlowLimits(concurrency=10, throttle=NO_THROTTLE), clock, recorder)
    real_start = recorder.start

    def slow_start(run: WaitingRun, start_ms: int) -> bool:
        clock.now += 3  # each start takes 3 s: the 4 s budget allows two
        return real_start(run, start_ms)

    slow._start_run = slow_start
    result = slow.dispatch()

    assert (len(result.started), result.more) == (2, True)
