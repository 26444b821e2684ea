"""The content-jobs sweeper's composition root: stalled content jobs go back to their
queues (or fail, out of stalls), content jobs still owed their message are sent, and the
queues' counts are read for the gauges (one read a minute, not one per worker batch)."""

from __future__ import annotations

from collections.abc import Mapping

from content_jobs.catalog import REGISTRY
from content_jobs.settings import SweeperSettings
from conveyor.core.aws import AwsClients
from conveyor.core.clock import Clock, system_clock
from conveyor.core.models import ApiModel
from conveyor.jobs.service import JobService
from conveyor.jobs.stalled import StalledJobs
from conveyor.jobs.status import JobStatus


class SweepReport(ApiModel):
    released: list[str]  # stalled, sent again
    failed: list[str]  # stalled once more than they may
    resent: list[str]  # owed their message for too long


class ContentJobsSweeper:
    def __init__(self, settings: SweeperSettings, aws: AwsClients, clock: Clock = system_clock) -> None:
        self.jobs = JobService.build(settings, aws, REGISTRY, clock)
        self.stalled = StalledJobs(self.jobs, max_stalls=settings.max_stalls, clock=clock)

    @classmethod
    def from_environment(
        cls, aws: AwsClients, environ: Mapping[str, str] | None = None, clock: Clock = system_clock
    ) -> ContentJobsSweeper:
        return cls(SweeperSettings.from_environment(environ), aws, clock)

    def queue_counts(self) -> dict[str, dict[JobStatus, int]]:
        """Each content-jobs queue's jobs per status: the gauges the sweeper publishes every minute."""
        return self.jobs.store.counters.by_queue(self.jobs.queue_names)

    def sweep(self) -> SweepReport:
        stalls = self.stalled.recover()
        return SweepReport(released=stalls.released, failed=stalls.failed, resent=self.jobs.outbox.send_overdue())
