"""MiniStack's state written to disk as it changes, so a crash loses at most the last moments.

MiniStack (`PERSIST_STATE=1`) saves each service's state to `STATE_DIR/<service>.json`
in its lifespan shutdown only: a SIGKILL, a crash or an unhandled signal loses
everything since the cloud started. The saver snapshots, every `interval` seconds,
the services that changed since their last snapshot, in MiniStack's own file format
(`ministack.core.persistence`), so MiniStack loads them at the next start as if it
had shut down then.

What changed: a service is marked when a request is routed to it (MiniStack's
`_get_module`), every service when one is routed to CloudFormation (which provisions
them in process), and the services that Lambda invocations, event source mappings
and Step Functions executions change from their own threads (SQS, Step Functions,
CloudWatch Logs) are marked while any of those runs.

Consistency: a service's `get_state()` (MiniStack's deep copy of its stores) runs on
the saver's thread, holding the lock that guards the service's stores where
`get_state()` does not take it itself (`STORE_LOCKS`: SQS's, which the event source
mappings' threads take, and DynamoDB's). Never on the event loop, where MiniStack
serves requests: a copy waiting there for a lock would stop the whole cloud. A copy
that a request or a background thread disturbs ("dictionary changed size during
iteration"), or whose lock stays taken, is taken again at the next tick; a request that
changes a store without that lock during a copy can be half in one snapshot, and whole
in the next, a tick later (a crash in between keeps the half). While a stack
operation runs nothing is copied (it changes every service it provisions); once it
has ended, every service is. Services are snapshotted one after another, so two
services can be up to one snapshot apart.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("localcloud.state")

# Services whose state changes without a request routed to them: by Lambda
# invocations (an event source mapping receives and deletes SQS messages, the
# invocation's logs) and by the threads that walk Step Functions executions.
BACKGROUND_SERVICES = ("sqs", "stepfunctions", "cloudwatch_logs")
# CloudFormation creates and updates the resources of every other service from its own
# code, not through requests routed to them: a stack operation marks them all.
DEPLOYER = "cloudformation"
# The locks that guard a service's stores where its `get_state()` does not take them itself
# (others, such as Route 53's, take their own lock inside: taking it first would deadlock).
STORE_LOCKS = {"sqs": "_queues_lock", "dynamodb": "_lock"}
LOCK_WAIT_SECONDS = 5  # a service whose lock stays taken longer is copied next tick


@dataclass
class SaveFigures:
    """What the saver did, for the log and `bench/`: snapshots, seconds spent, bytes written."""

    snapshots: int = 0
    retries: int = 0
    copy_seconds: dict[str, float] = field(default_factory=dict)
    write_seconds: dict[str, float] = field(default_factory=dict)
    bytes_written: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        services = sorted(self.copy_seconds, key=lambda key: -(self.copy_seconds[key] + self.write_seconds[key]))
        per_service = ", ".join(
            f"{key} copy {self.copy_seconds[key]:.2f} s write {self.write_seconds[key]:.2f} s"
            f" ({self.bytes_written.get(key, 0) / 1e6:.1f} MB)"
            for key in services
        )
        return f"{self.snapshots} snapshots, {self.retries} copies taken again; {per_service}"


class StateSaver:
    def __init__(self, state_dir: str, interval: float) -> None:
        self._state_dir = state_dir
        self._interval = interval
        self._dirty: set[str] = set()
        self._dirty_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="localcloud-state-saver", daemon=True)
        self.figures = SaveFigures()

    def install(self) -> None:
        """Watch MiniStack's request routing; call before the server starts."""
        from ministack import app

        get_module = app._get_module

        def marking(name: str) -> Any:
            self.mark(name)
            return get_module(name)

        app._get_module = marking

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop snapshotting (MiniStack's own shutdown writes the final state)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        log.info("State saver: %s", self.figures.summary())

    def mark(self, module: str) -> None:
        with self._dirty_lock:
            self._dirty.add(module)

    def save_now(self) -> None:
        """Snapshot what changed; runs on the saver's thread, never on the event loop."""
        from ministack import app

        loop = app._MAIN_LOOP
        if loop is None or loop.is_closed():
            return
        if _background_work_running():
            for module in BACKGROUND_SERVICES:
                self.mark(module)
        if _stack_operation_running():
            # It changes every service it provisions throughout: copies wait until it has
            # ended, then take every service.
            self.mark(DEPLOYER)
            return
        with self._dirty_lock:
            dirty, self._dirty = self._dirty, set()
        if DEPLOYER in dirty:  # a stack operation writes every service it provisions, in process
            dirty.update(app._state_map.values())
        keys = {key: module for key, module in app._state_map.items() if module in dirty}
        for key, module_name in keys.items():
            # As MiniStack's own final save: a module that only other services import (the
            # event bus CloudFormation provisions) is not among the routed ones.
            module = app._loaded_modules.get(module_name) or sys.modules.get(f"ministack.services.{module_name}")
            if module is None or not hasattr(module, "get_state"):
                continue
            started = time.perf_counter()
            try:
                state = _copy_state(module)
            except RuntimeError as error:  # busy, or changed by a background thread while copied: next tick
                log.info("State of %s changed while copied (%s); taken again next time", key, error)
                self.figures.retries += 1
                self.mark(module_name)
                continue
            copied = time.perf_counter()
            if state is not None:
                self.figures.bytes_written[key] = _write(self._state_dir, key, state)
            _add(self.figures.copy_seconds, key, copied - started)
            _add(self.figures.write_seconds, key, time.perf_counter() - copied)
        if keys:
            self.figures.snapshots += 1

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.save_now()
            except Exception:  # a snapshot that fails must not end the saver
                log.exception("Saving the local cloud's state failed; trying again")


def _copy_state(module: Any) -> Any:
    with _service_lock(module):
        return module.get_state()


@contextlib.contextmanager
def _service_lock(module: Any) -> Iterator[None]:
    name = STORE_LOCKS.get(module.__name__.rsplit(".", 1)[-1])
    lock = getattr(module, name, None) if name else None
    if lock is None:
        yield
        return
    if not lock.acquire(timeout=LOCK_WAIT_SECONDS):
        raise RuntimeError("the service's lock is held")
    try:
        yield
    finally:
        lock.release()


def _stack_operation_running() -> bool:
    from ministack.services import cloudformation

    try:
        statuses = [stack.get("StackStatus", "") for stack in cloudformation._stacks.all_values()]
    except RuntimeError:  # a stack created meanwhile
        return True
    return any(status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS" for status in statuses)


def _background_work_running() -> bool:
    from ministack.core import lambda_runtime
    from ministack.services import stepfunctions

    if lambda_runtime.workers_in_use():
        return True
    try:
        return any(execution.get("status") == "RUNNING" for execution in stepfunctions._executions.all_values())
    except RuntimeError:  # an execution started meanwhile
        return True


def _write(state_dir: str, key: str, state: Any) -> int:
    """MiniStack's file for `key`, written whole and then renamed over the old one."""
    from ministack.core import persistence

    document = {"__ministack_format__": persistence._state_format_version(key), "payload": state}
    data = json.dumps(document, default=persistence._json_default).encode()
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, f"{key}.json")
    partial = path + ".saving"  # not MiniStack's own ".tmp"
    with open(partial, "wb") as file:
        file.write(data)
    os.replace(partial, path)
    return len(data)


def _add(totals: dict[str, float], key: str, seconds: float) -> None:
    totals[key] = totals.get(key, 0.0) + seconds
