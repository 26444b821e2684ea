"""A handler exception is reported with AWS's error payload: its class name and stack trace.

AWS: a Python handler that raises `TransientStepError("...")` is reported as
`{"errorMessage": "...", "errorType": "TransientStepError", "requestId": "...",
"stackTrace": ["  File \"/var/task/app.py\", line 9, in handler\n    raise ...\n"]}`:
the invoke's error payload, and in Step Functions the failed task's `error`
(what `Retry` and `Catch` match) and `cause` (that payload as JSON).

MiniStack 1.5.33: the warm worker writes only `str(e)` and the formatted
traceback back to the parent, and `_execute_function_warm` reports every
handler exception as `{"errorMessage", "errorType": "Runtime.HandlerError"}`,
so a retrier on a named error never matches and the cause has no stack trace.

Fix (upstreamable as two small changes): the worker also writes
`type(e).__name__`, the handler's frames (`traceback.format_list`, the worker's
own frame left out, as AWS leaves out its runtime's) and the request id, and
the parent puts them in the error payload.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from ministack.core import lambda_runtime
from ministack.services import lambda_svc

_WORKER_ERROR_LINE = '{"status": "error", "error": str(e), "trace": traceback.format_exc()}'
_WORKER_ERROR_LINE_WITH_PAYLOAD = (
    '{"status": "error", "error": str(e), "errorType": type(e).__name__, '
    '"requestId": context.aws_request_id, '
    '"stackTrace": traceback.format_list(traceback.extract_tb(e.__traceback__)[1:]), '
    '"trace": traceback.format_exc()}'
)
_GENERIC_ERROR_TYPE = "Runtime.HandlerError"
_PAYLOAD_FIELDS = ("errorType", "requestId", "stackTrace")

# The worker's answer for the last failed invocation on this thread: the warm
# path calls Worker.invoke and builds the error body on the same thread.
_last_error = threading.local()


def apply() -> None:
    script = lambda_runtime._PYTHON_WORKER_SCRIPT
    if _WORKER_ERROR_LINE not in script:
        raise RuntimeError("MiniStack's Python worker changed: lambda_error_payload fix needs review")
    lambda_runtime._PYTHON_WORKER_SCRIPT = script.replace(_WORKER_ERROR_LINE, _WORKER_ERROR_LINE_WITH_PAYLOAD)
    lambda_runtime.Worker.invoke = _remember_error(lambda_runtime.Worker.invoke)
    lambda_svc._execute_function_warm = _report_error_payload(lambda_svc._execute_function_warm)


def _remember_error(invoke: Any) -> Any:
    @functools.wraps(invoke)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> dict:
        response = invoke(self, *args, **kwargs)
        _last_error.value = response if response.get("status") == "error" else None
        return response

    return wrapper


def _report_error_payload(execute: Any) -> Any:
    @functools.wraps(execute)
    def wrapper(*args: Any, **kwargs: Any) -> dict:
        _last_error.value = None
        result = execute(*args, **kwargs)
        error = _last_error.value
        body = result.get("body")
        if error and isinstance(body, dict) and body.get("errorType") == _GENERIC_ERROR_TYPE:
            for field in _PAYLOAD_FIELDS:
                if error.get(field) not in (None, ""):
                    body[field] = error[field]
        return result

    return wrapper
