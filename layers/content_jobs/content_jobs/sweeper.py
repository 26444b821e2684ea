"""The content-jobs sweeper's composition root: stalled content jobs go back to their queues."""

from __future__ import annotations

from collections.abc import Mapping

from content_jobs.catalog import REGISTRY
from content_jobs.settings import SweeperSettings
from conveyor.core.aws import AwsClients
from conveyor.core.clock import Clock, system_clock
from conveyor.jobs.service import JobService
from conveyor.jobs.stalled import StalledJobs


def stalled_jobs(aws: AwsClients, environ: Mapping[str, str] | None = None, clock: Clock = system_clock) -> StalledJobs:
    settings = SweeperSettings.from_environment(environ)
    return StalledJobs(JobService.build(settings, aws, REGISTRY, clock), clock)
