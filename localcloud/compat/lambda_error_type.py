"""A handler exception surfaces with its class name as `errorType`.

AWS: a Python handler that raises `TransientStepError("...")` is reported as
`{"errorType": "TransientStepError", "errorMessage": "..."}`; Step Functions
uses that `errorType` as the error name that `Retry` and `Catch` match.

MiniStack 1.5.33: the warm worker writes only `str(e)` back to the parent, and
`_execute_function_warm` reports every handler exception as
`Runtime.HandlerError`, so a retrier on a named error never matches.

Fix (upstreamable as two small changes): the worker also writes
`type(e).__name__`, and the parent uses it as `errorType`.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from ministack.core import lambda_runtime
from ministack.services import lambda_svc

_WORKER_ERROR_LINE = '{"status": "error", "error": str(e), "trace": traceback.format_exc()}'
_WORKER_ERROR_LINE_WITH_TYPE = (
    '{"status": "error", "error": str(e), "errorType": type(e).__name__, "trace": traceback.format_exc()}'
)
_GENERIC_ERROR_TYPE = "Runtime.HandlerError"

# The exception class of the last failed invocation on this thread: the warm
# path calls Worker.invoke and builds the error body on the same thread.
_last_error_type = threading.local()


def apply() -> None:
    script = lambda_runtime._PYTHON_WORKER_SCRIPT
    if _WORKER_ERROR_LINE not in script:
        raise RuntimeError("MiniStack's Python worker changed: lambda_error_type fix needs review")
    lambda_runtime._PYTHON_WORKER_SCRIPT = script.replace(_WORKER_ERROR_LINE, _WORKER_ERROR_LINE_WITH_TYPE)
    lambda_runtime.Worker.invoke = _remember_error_type(lambda_runtime.Worker.invoke)
    lambda_svc._execute_function_warm = _report_error_type(lambda_svc._execute_function_warm)


def _remember_error_type(invoke: Any) -> Any:
    @functools.wraps(invoke)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> dict:
        response = invoke(self, *args, **kwargs)
        _last_error_type.value = response.get("errorType") if response.get("status") == "error" else None
        return response

    return wrapper


def _report_error_type(execute: Any) -> Any:
    @functools.wraps(execute)
    def wrapper(*args: Any, **kwargs: Any) -> dict:
        _last_error_type.value = None
        result = execute(*args, **kwargs)
        error_type = _last_error_type.value
        body = result.get("body")
        if error_type and isinstance(body, dict) and body.get("errorType") == _GENERIC_ERROR_TYPE:
            body["errorType"] = error_type
        return result

    return wrapper
