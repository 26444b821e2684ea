"""A Lambda worker ends when the local cloud ends, however it ends.

AWS: an execution environment exists only inside the Lambda service that runs
it; nothing of a function keeps running once its environment is shut down.

MiniStack 1.5.33: a Python worker is a child process that exits when its stdin
closes, and it reads stdin only between invocations. When the MiniStack process
dies without shutting its pool down (SIGKILL, a crash, a closed terminal), a
worker busy in a handler runs on as an orphan, retrying calls to an endpoint
that is gone, for as long as its handler takes (measured: a handler sleeping
40 s outlived a SIGKILLed cloud by its 40 s). `PR_SET_PDEATHSIG` would not do:
it fires when the *thread* that spawned the worker ends, and MiniStack spawns
workers from short-lived threads (a Step Functions execution's, a poller's).

Fix (upstreamable as a few lines of the worker script): the worker starts a
daemon thread that watches its parent process and exits the moment the worker
is orphaned (checked every 0.2 s); the parent's pid comes from the environment,
so a parent that died before the thread started is noticed too.

Its test: tests/integration/test_local_cloud_faults.py
::test_a_sigkilled_cloud_leaves_no_worker_and_loses_no_acknowledged_work.
"""

from __future__ import annotations

import os

from ministack.core import lambda_runtime

PARENT_PID_VARIABLE = "_LOCALCLOUD_PARENT_PID"

_RUN = "\nrun()\n"
_EXIT_WITH_PARENT = f'''
def _ms_exit_with_parent():
    import threading
    parent = int(os.environ.get("{PARENT_PID_VARIABLE}") or os.getppid())

    def watch():
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()

_ms_exit_with_parent()
'''


def apply() -> None:
    script = lambda_runtime._PYTHON_WORKER_SCRIPT
    if not script.endswith(_RUN):
        raise RuntimeError("MiniStack's Python worker changed: lambda_worker_orphans fix needs review")
    lambda_runtime._PYTHON_WORKER_SCRIPT = script[: -len(_RUN)] + _EXIT_WITH_PARENT + _RUN
    # Workers inherit the cloud's environment (`Worker._spawn`).
    os.environ[PARENT_PID_VARIABLE] = str(os.getpid())
