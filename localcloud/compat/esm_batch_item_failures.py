"""A malformed `batchItemFailures` answer fails the whole SQS batch instead of deleting it.

AWS: with `ReportBatchItemFailures`, Lambda treats a batch as completely
successful for an empty or null `batchItemFailures` list or an empty or null
response, and as completely failed (every message stays in the queue and
comes back after its visibility timeout) for an invalid JSON response, an
empty or null `itemIdentifier`, an item with a wrong key name, or an
`itemIdentifier` that is not a message ID of the batch. (Lambda developer
guide, "Handling errors for an SQS event source in Lambda", success and
failure conditions.)

MiniStack 1.5.33: the malformed items are skipped and every other message is
deleted as processed: a handler that reports failures by receipt handle, or
under `messageId` instead of `itemIdentifier`, loses the failed messages
silently.

Fix (upstreamable as a check in `_run_sqs_batch`): the function's answer is
checked before the batch is settled; a malformed one is turned into a
function error (`errorType` `Lambda.InvalidBatchItemFailures`, saying what
was wrong), which MiniStack settles as AWS does: nothing deleted. A response
that is JSON but not an object also fails the batch.
"""

from __future__ import annotations

import functools
import json
import threading
from typing import Any

from ministack.services import lambda_svc

_REPORTS_FAILURES = "ReportBatchItemFailures"
# The message ids of the SQS batch being invoked on this thread, when its
# mapping reports item failures: _run_sqs_batch calls _execute_function on the
# same thread.
_batch = threading.local()


def apply() -> None:
    lambda_svc._run_sqs_batch = _remembering_batch(lambda_svc._run_sqs_batch)
    lambda_svc._execute_function = _checking_batch_response(lambda_svc._execute_function)


def malformed_response(body: Any, message_ids: set[str]) -> str | None:
    """Why AWS would fail the whole batch on this response, or None if it settles it."""
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(body)
        except json.JSONDecodeError:
            return "the response is not valid JSON"
    if body is None:
        return None
    if not isinstance(body, dict):
        return "the response is not a JSON object"
    failures = body.get("batchItemFailures")
    if failures is None:
        return None
    if not isinstance(failures, list):
        return "batchItemFailures is not a list"
    for failure in failures:
        if not isinstance(failure, dict) or "itemIdentifier" not in failure:
            return f"an item failure has no itemIdentifier: {json.dumps(failure)}"
        identifier = failure["itemIdentifier"]
        if identifier in (None, ""):
            return "an itemIdentifier is empty"
        if identifier not in message_ids:
            return f"itemIdentifier {json.dumps(identifier)} is not a message ID of the batch"
    return None


def _remembering_batch(run_batch: Any) -> Any:
    @functools.wraps(run_batch)
    def wrapper(esm: dict, func_rec: dict, event: dict, batch: list, *args: Any) -> Any:
        if _REPORTS_FAILURES in (esm.get("FunctionResponseTypes") or []):
            _batch.message_ids = {message["id"] for message in batch}
        try:
            return run_batch(esm, func_rec, event, batch, *args)
        finally:
            _batch.message_ids = None

    return wrapper


def _checking_batch_response(execute: Any) -> Any:
    @functools.wraps(execute)
    def wrapper(*args: Any, **kwargs: Any) -> dict:
        message_ids = getattr(_batch, "message_ids", None)
        _batch.message_ids = None  # one check per batch, on its outermost invocation
        result = execute(*args, **kwargs)
        if message_ids is None or result.get("error"):
            return result
        reason = malformed_response(result.get("body"), message_ids)
        if reason is None:
            return result
        return {
            **result,
            "error": True,
            "body": {"errorType": "Lambda.InvalidBatchItemFailures", "errorMessage": f"Batch failed: {reason}"},
        }

    return wrapper
