"""Executions that were running when the local cloud stopped end ABORTED, and say so.

AWS: a Standard execution runs until its states end or someone stops it; every
end is in its history (`ExecutionAborted`, ...) and sent to EventBridge as a
"Step Functions Execution Status Change" event, which is how a rule learns of
a run that ended without reaching its own last states (Conveyor's durable flows
record such a run FAILED, replayable, and free its concurrency slot that way).

MiniStack 1.5.33: executions run in threads of the MiniStack process, and do
not resume after a restart: loading the saved state marks every execution that
was RUNNING as `FAILED` (`States.ServiceRestart`) with no history event and no
status-change event, so nothing that waits for that event ever hears of it
(a Conveyor task stayed RUNNING forever, holding its slot, and its retry was
refused as "running").

Fix (upstreamable as a change of `stepfunctions._restore_state`): such an
execution is ended `ABORTED` through `sfn_execution_history.end_execution`
(an `ExecutionAborted` event with MiniStack's error and cause, and the
status-change event) once the restarted cloud answers on its port, so the
rules' targets, which call back into the cloud, can act on it. They are not
resumed: a state in flight when the process died cannot be continued, and a
durable flow's replay reuses every step that had succeeded.

Its test: tests/integration/test_local_cloud_faults.py
::test_a_sigkilled_cloud_leaves_no_worker_and_loses_no_acknowledged_work.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
from typing import Any

from ministack.services import stepfunctions as sfn

from localcloud.compat.sfn_execution_history import end_execution

log = logging.getLogger("localcloud.compat")

ERROR = "States.ServiceRestart"  # MiniStack's names for it
CAUSE = "Execution was running when the local cloud stopped"
_PORT_WAIT_SECONDS = 300


def apply() -> None:
    sfn._restore_state = _abort_interrupted(sfn._restore_state)


def _abort_interrupted(restore: Any) -> Any:
    @functools.wraps(restore)
    def wrapper(data: dict[str, Any]) -> None:
        stored = (data or {}).get("executions")
        running = [e for e in getattr(stored, "_data", {}).values() if e.get("status") == "RUNNING"]
        restore(data)
        if not running:
            return
        for execution in running:  # undo MiniStack's silent FAILED until they end properly
            execution.update(status="RUNNING")
            for key in ("stopDate", "error", "cause"):
                execution.pop(key, None)
        threading.Thread(target=_end_when_serving, args=(running,), name="sfn-interrupted", daemon=True).start()

    return wrapper


def _end_when_serving(executions: list[dict[str, Any]]) -> None:
    if not _wait_for_port():
        log.warning("The cloud never answered: %d interrupted executions stay RUNNING", len(executions))
        return
    for execution in executions:
        details = {"executionAbortedEventDetails": {"error": ERROR, "cause": CAUSE}}
        attempt = execution.get("redriveCount", 0)
        if end_execution(execution, attempt, "ABORTED", "ExecutionAborted", details, error=ERROR, cause=CAUSE):
            log.info("Execution %s was running when the cloud stopped: ABORTED", execution["executionArn"])


def _wait_for_port() -> bool:
    host = os.environ.get("BIND_HOST", "127.0.0.1").replace("0.0.0.0", "127.0.0.1")
    port = int(os.environ.get("GATEWAY_PORT", "4566"))
    deadline = time.monotonic() + _PORT_WAIT_SECONDS
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.05)
    return False
