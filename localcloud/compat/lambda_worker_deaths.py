"""A Lambda worker that dies fails its own invocation only, as `Runtime.ExitError`.

AWS: each concurrent invocation runs in its own execution environment. When an
environment's runtime process dies (killed, out of memory, `os._exit`), the
invocation it was running or initializing fails with
`{"errorType": "Runtime.ExitError", "errorMessage": "RequestId: ... Error:
Runtime exited with error: signal: killed"}`, the environment is replaced, and
the function's other environments carry on untouched.

MiniStack 1.5.33: a worker killed while it starts (the import of the handler,
which is most of a cold start) makes `Worker._spawn` raise "Worker process
exited immediately"; `_execute_function_warm` answers that by
`invalidate_worker(function)`, which SIGTERMs *every* worker of the function,
the ones busy with other invocations and the ones starting included, and
deletes their folders under their feet. Those fail in turn ("Worker process
exited immediately", "No module named 'app'", a layer that cannot be extracted,
`'NoneType' object has no attribute 'stdin'`), each failure invalidating the
pool again: under concurrent load one killed worker becomes a storm that fails
nearly every invocation for seconds (measured: 313 of 315 invocations of six
callers failed while a worker was killed every 0.5 s; 0 with this fix), and
every retry of a Step Functions task or an SQS message meets it.

Fix (upstreamable as a change of `_execute_function_warm`'s error branch): a
worker whose invocation raises is stopped and reaped alone and stays in its
pool, to start afresh on its next invocation, as it already does after
"Worker process died"; both are reported as AWS reports them, `Runtime.ExitError`
with the exit reason. Nothing else of the pool is touched.

Its test: tests/integration/test_local_cloud_faults.py
::test_a_killed_worker_fails_its_own_invocation_only_and_the_pool_carries_on.
"""

from __future__ import annotations

import functools
import logging
import subprocess
import time
from typing import Any

from ministack.core import lambda_runtime

log = logging.getLogger("localcloud.compat")

_DIED = "Worker process died"  # MiniStack's answer when a worker's stdout closes mid-invocation
# A worker that failed to start has exited or is exiting; one still running after this is stopped.
_EXIT_WAIT_SECONDS = 1.0


def apply() -> None:
    lambda_runtime.Worker.invoke = _fail_alone(lambda_runtime.Worker.invoke)


def _fail_alone(invoke: Any) -> Any:
    @functools.wraps(invoke)
    def wrapper(self: Any, event: Any, request_id: str, **kwargs: Any) -> dict:
        warm = self._proc if self._proc is not None and self._proc.poll() is None else None
        try:
            response = invoke(self, event, request_id, **kwargs)
        except Exception as error:
            with self._lock:
                proc, self._proc = self._proc, None
                returncode = _reap(proc)
            if returncode in (None, 0):  # it answered, or hangs: not a death
                return {"status": "error", "error": str(error), "errorType": type(error).__name__}
            log.warning("A Lambda worker of %s died while starting: %s", self.func_name, error)
            return _exit_error(request_id, returncode)
        if response.get("status") == "error" and response.get("error") == _DIED:
            # MiniStack has reaped it: a warm worker's exit status is known.
            return {**response, **_exit_error(request_id, warm.returncode if warm is not None else None)}
        return response

    return wrapper


def _exit_error(request_id: str, returncode: int | None) -> dict:
    if returncode is None:
        reason = "Runtime exited without providing a reason"
    elif returncode < 0:
        reason = f"Runtime exited with error: signal: {_signal_name(-returncode)}"
    else:
        reason = f"Runtime exited with error: exit status {returncode}"
    return {"status": "error", "error": f"RequestId: {request_id} Error: {reason}", "errorType": "Runtime.ExitError"}


def _signal_name(number: int) -> str:
    """Go's names, which AWS's messages use: `killed`, `terminated`, `aborted`."""
    return {9: "killed", 15: "terminated", 6: "aborted", 11: "segmentation fault"}.get(number, f"signal {number}")


def _reap(proc: Any) -> int | None:
    """The worker's exit status once it has exited by itself, or None: then it is stopped."""
    if proc is None:
        return None
    try:
        return proc.wait(timeout=_EXIT_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        lambda_runtime._signal(proc)
        lambda_runtime._collect(proc, time.monotonic() + lambda_runtime._REAP_GRACE)
        return None
