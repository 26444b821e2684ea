"""From `track/ingestion.requested` messages to `track-ingestion` runs.

Each message queues a run of the durable flow (`conveyor.durable.flow`) for its ISRC's task
(`isrc-<ISRC>`), which belongs to no organization: the index is shared, so the same ISRC
requested again inside the idempotency window — from another album, another user, another
organization, or a redelivered message — answers with the run it already has and queues
nothing. The dispatcher, woken once per batch, starts runs as the flow's concurrency and
throttle (per catalog provider) allow.
"""

from __future__ import annotations

from collections.abc import Sequence

from conveyor.core.aws import AwsClients
from conveyor.core.clock import Clock, system_clock
from conveyor.durable.flow import FlowSubmitter
from conveyor.durable.submission import QueuedRun
from library_ingestion.models import TrackIngestionRequested
from library_ingestion.settings import IntakeSettings


class TrackIngestionIntake:
    def __init__(self, settings: IntakeSettings, aws: AwsClients, clock: Clock = system_clock) -> None:
        self.flow = FlowSubmitter(settings, aws, clock)
        self._window_seconds = settings.idempotency_window_seconds

    def queue(self, request: TrackIngestionRequested) -> QueuedRun:
        """The run of this ISRC: a new one, or (`duplicate`) the one inside the window."""
        return self.flow.queue_new_run(request.to_task(), 0, None, self._window_seconds)

    def wake_dispatcher(self, queued: Sequence[QueuedRun]) -> None:
        if any(not run.duplicate for run in queued):
            self.flow.request_dispatch(f"{sum(not run.duplicate for run in queued)} track ingestions queued")
