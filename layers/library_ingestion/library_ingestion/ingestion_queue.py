"""Where ingestion requests go: one `track/ingestion.requested` message per track on the
track-ingestion queue, sent in batches of up to ten (SendMessageBatch). The intake turns each
into a run of the durable flow (`library_ingestion.intake`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from library_ingestion.models import TrackIngestionRequested

BATCH = 10


class IngestionQueue:
    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs = sqs
        self._queue_url = queue_url

    def send(self, requests: Sequence[TrackIngestionRequested]) -> list[str | None]:
        """Send each request as its own message; per request, None when it was sent, else why not."""
        errors: list[str | None] = []
        for start in range(0, len(requests), BATCH):
            errors.extend(self._send_batch(requests[start : start + BATCH]))
        return errors

    def _send_batch(self, requests: Sequence[TrackIngestionRequested]) -> list[str | None]:
        entries = [
            {"Id": str(index), "MessageBody": request.model_dump_json(by_alias=True, exclude_none=True)}
            for index, request in enumerate(requests)
        ]
        try:
            response = self._sqs.send_message_batch(QueueUrl=self._queue_url, Entries=entries)
        except (ClientError, BotoCoreError) as error:
            return [f"{type(error).__name__}: {error}"] * len(requests)
        failed = {
            entry["Id"]: f"{entry.get('Code')}: {entry.get('Message', '')}" for entry in response.get("Failed", [])
        }
        return [failed.get(str(index)) for index in range(len(requests))]
