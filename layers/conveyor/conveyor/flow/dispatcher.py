"""The dispatcher: start waiting runs, in priority order, while the flow's
concurrency and throttles allow.

One pass runs at a time per flow (its requests share a FIFO message group), so
a pass reads the waiting list, slots and throttle windows without racing another
pass; the conditional writes underneath still refuse anything stale. Every step
of a pass is idempotent: a pass that dies half-way is simply run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import jmespath

from conveyor.core.clock import Clock, system_clock
from conveyor.flow.limits import FlowLimits, ThrottleLimit
from conveyor.flow.slots import ConcurrencySlots, Slot
from conveyor.flow.throttle import SlidingWindowThrottle, Window
from conveyor.flow.waiting import WaitingList, WaitingRun

GLOBAL_KEY = "global"
# A slot whose execution ended without releasing it (an event lost) is
# checked, and freed, once it has been held this long.
_LIVENESS_CHECK_AFTER_MS = 5_000

StartRun = Callable[[WaitingRun, int], bool]  # (run, admission time in ms) -> started (False: it had run already)
ExecutionArnOf = Callable[[WaitingRun], str]  # the ARN a run's execution has (or will have)
IsRunning = Callable[[str], bool]  # execution ARN -> still running?
# A pass stops after this long and asks for another: well inside the function's timeout.
PASS_BUDGET_SECONDS = 4.0


@dataclass
class DispatchResult:
    started: list[str] = field(default_factory=list)
    # Seconds until a throttled run may start, when one is waiting for that.
    retry_in_seconds: float | None = None
    saturated: bool = False
    # The pass used its time budget with runs left to look at: dispatch again.
    more: bool = False


@dataclass(frozen=True)
class _ThrottleCheck:
    key: str
    limit: ThrottleLimit
    window: Window


class Dispatcher:
    def __init__(
        self,
        waiting: WaitingList,
        slots: ConcurrencySlots,
        throttle: SlidingWindowThrottle,
        limits: FlowLimits,
        start_run: StartRun,
        execution_arn_of: ExecutionArnOf,
        is_running: IsRunning,
        clock: Clock = system_clock,
    ) -> None:
        self._waiting = waiting
        self._slots = slots
        self._throttle = throttle
        self._limits = limits
        self._start_run = start_run
        self._execution_arn_of = execution_arn_of
        self._is_running = is_running
        self._clock = clock

    def dispatch(self) -> DispatchResult:
        result = DispatchResult()
        retry_at_ms: int | None = None
        deadline = self._clock() + PASS_BUDGET_SECONDS
        for run in self._waiting.in_order():
            if self._clock() > deadline:
                result.more = True
                break
            now_ms = int(self._clock() * 1000)
            checks = self._throttle_checks(run)
            # When each window (not yet counting this run) lets it start.
            fits_at = {c.key: c.window.next_start_ms(c.limit, now_ms) for c in checks if _new(run, c)}
            start_ms = max([now_ms, *fits_at.values()])
            if start_ms > now_ms:
                retry_at_ms = min(retry_at_ms or start_ms, start_ms)
                if fits_at.get(GLOBAL_KEY, now_ms) > now_ms:
                    break  # the global limit holds every run back
                continue  # only this run's key is throttled: later runs may start
            execution_arn = self._execution_arn_of(run)
            if self._acquire_slot(run, execution_arn, now_ms) is None:
                result.saturated = True
                break  # a release requests the next dispatch
            for check in checks:
                self._throttle.record(check.key, check.limit, check.window, run.run_id, now_ms)
            if self._start_run(run, now_ms):
                result.started.append(run.run_id)
            elif not self._is_running(execution_arn):
                # An earlier pass started it and died before taking it off the list;
                # the run has ended since, and its release found no slot to free.
                self._slots.release(execution_arn=execution_arn)
            self._waiting.remove(run)
        if retry_at_ms is not None:
            result.retry_in_seconds = max(0.0, (retry_at_ms - int(self._clock() * 1000)) / 1000)
        return result

    def _acquire_slot(self, run: WaitingRun, execution_arn: str, now_ms: int) -> Slot | None:
        slot = self._slots.acquire(run.run_id, execution_arn, now_ms)
        if slot is None and self._free_slots_of_ended_runs(now_ms):
            slot = self._slots.acquire(run.run_id, execution_arn, now_ms)
        return slot

    def _free_slots_of_ended_runs(self, now_ms: int) -> bool:
        """Release slots whose execution is over (its release was lost); True if any."""
        freed = False
        for slot in self._slots.held():
            old_enough = now_ms - slot.acquired_ms >= _LIVENESS_CHECK_AFTER_MS
            if slot.execution_arn and old_enough and not self._is_running(slot.execution_arn):
                freed = self._slots.release(execution_arn=slot.execution_arn) or freed
        return freed

    def _throttle_checks(self, run: WaitingRun) -> list[_ThrottleCheck]:
        checks = []
        if self._limits.global_throttle.enabled:
            checks.append(self._check(GLOBAL_KEY, self._limits.global_throttle))
        if self._limits.throttle.enabled:
            value = jmespath.search(self._limits.throttle_key, run.task)
            checks.append(self._check(f"key#{value}", self._limits.throttle))
        return checks

    def _check(self, key: str, limit: ThrottleLimit) -> _ThrottleCheck:
        return _ThrottleCheck(key, limit, self._throttle.window(key))


def _new(run: WaitingRun, check: _ThrottleCheck) -> bool:
    """Not yet counted in this window (a pass that died after recording it was)."""
    return run.run_id not in check.window.run_ids
