"""SQS event source mappings apply `MaximumBatchingWindowInSeconds` and batches over 10.

AWS: an SQS mapping with a batching window gathers messages for up to that
many seconds before invoking the function, unless `BatchSize` messages are
there sooner; batches can then hold up to `BatchSize` (10,000) messages, read
from the queue ten at a time. Without a window a batch is what one poll
returns (at most 10).

MiniStack 1.5.33: the window is stored and ignored (each poll invokes with
what it found, however little), and a batch never holds more than 10
messages, so a mapping tuned for large batches runs many small ones.

Fix (upstreamable in `_receive_messages_for_esm`): for a mapping with a
window, the poller takes nothing until the queue holds `BatchSize` visible
messages or the window has passed since it first found some, then reads up to
`BatchSize` in rounds of 10. The window is real time, like every event source
setting (MiniStack's poller looks again at least every second, so a window
ends up to a second late). A queue with several mappings is gated by the
mapping of the batch size asked for.
"""

from __future__ import annotations

import functools
import threading
import time
from typing import Any

from ministack.services import lambda_svc, sqs

_RECEIVE_LIMIT = 10
# (queue URL, mapping UUID) -> when the poller first found messages it did not take yet.
_window_opened: dict[tuple[str, str], float] = {}
_window_lock = threading.Lock()


def apply() -> None:
    sqs._receive_messages_for_esm = _batching(sqs._receive_messages_for_esm)


def _batching(receive: Any) -> Any:
    @functools.wraps(receive)
    def wrapper(queue_url: str, max_number: int) -> list[dict]:
        mapping = _mapping_for(queue_url, max_number)
        window = int((mapping or {}).get("MaximumBatchingWindowInSeconds") or 0)
        batch_size = int(max_number or 1)
        if mapping is None or (window <= 0 and batch_size <= _RECEIVE_LIMIT):
            return receive(queue_url, max_number)
        key = (queue_url, mapping["UUID"])
        visible = _visible_messages(queue_url)
        with _window_lock:
            if visible == 0:
                _window_opened.pop(key, None)
                return []
            if visible < batch_size and window > 0:
                opened = _window_opened.setdefault(key, time.monotonic())
                if time.monotonic() - opened < window:
                    return []
            _window_opened.pop(key, None)
        batch: list[dict] = []
        while len(batch) < batch_size:
            taken = receive(queue_url, min(_RECEIVE_LIMIT, batch_size - len(batch)))
            if not taken:
                break
            batch.extend(taken)
        return batch

    return wrapper


def _mapping_for(queue_url: str, batch_size: int) -> dict[str, Any] | None:
    queue = sqs._queues.get(queue_url)
    if queue is None:
        return None
    arn = queue["attributes"].get("QueueArn")
    mappings = [m for m in lambda_svc._esms.values() if m.get("EventSourceArn") == arn and m.get("Enabled", True)]
    return next((m for m in mappings if int(m.get("BatchSize") or 10) == batch_size), None) or (
        mappings[0] if mappings else None
    )


def _visible_messages(queue_url: str) -> int:
    now = time.time()
    with sqs._queues_lock:
        queue = sqs._queues.get(queue_url)
        return sum(1 for m in (queue or {}).get("messages", []) if m.get("visible_at", now) <= now)
