"""The content-jobs scheduler's composition root: a schedule firing becomes its jobs."""

from __future__ import annotations

from collections.abc import Mapping

from content_jobs.catalog import REGISTRY
from content_jobs.data.accounts import AccountStore
from content_jobs.data.sources import SourceStore
from content_jobs.data.table import DataTable
from content_jobs.schedules import Firing, ScheduleTargets
from content_jobs.settings import SchedulerSettings
from conveyor.core.aws import AwsClients
from conveyor.core.clock import Clock, system_clock
from conveyor.jobs.schedules import FiringReport, fire
from conveyor.jobs.service import JobService


class ContentJobsScheduler:
    def __init__(self, settings: SchedulerSettings, aws: AwsClients, clock: Clock = system_clock) -> None:
        self.jobs = JobService.build(settings, aws, REGISTRY, clock)
        data = DataTable(aws.table(settings.data_table), clock)
        self.targets = ScheduleTargets(SourceStore(data), AccountStore(data))

    @classmethod
    def from_environment(cls, aws: AwsClients, environ: Mapping[str, str] | None = None) -> ContentJobsScheduler:
        return cls(SchedulerSettings.from_environment(environ), aws)

    def fire(self, firing: Firing) -> FiringReport:
        return fire(self.jobs, self.targets.of(firing.schedule), firing.scheduled_time)
