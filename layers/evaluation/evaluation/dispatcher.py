"""The evaluation dispatcher's composition root: one pass per batch of dispatch requests
(`evaluation.release`), and on the periodic sweep the stalled jobs sent again and every
active run checked for completion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from conveyor.core.aws import AwsClients
from conveyor.core.clock import Clock, system_clock
from conveyor.jobs.service import JobService
from conveyor.jobs.stalled import StalledJobs
from evaluation.catalog import REGISTRY
from evaluation.definitions import DefinitionStore
from evaluation.release import Outbox, PassReport, ReleasePass
from evaluation.runs.store import RunStore
from evaluation.settings import ENV_PREFIX, DispatcherSettings, EvaluationSettings
from evaluation.wakeups import DispatchRequest, Wakeups

SWEEP = "sweep"


class EvaluationDispatcher:
    def __init__(self, settings: DispatcherSettings, aws: AwsClients, clock: Clock = system_clock) -> None:
        jobs = JobService.build(settings, aws, REGISTRY, clock)
        table = aws.table(settings.table)
        self.wakeups = Wakeups(aws.client("sqs"), settings.dispatch_queue_url)
        self.stalled = StalledJobs(jobs, max_stalls=settings.max_stalls, clock=clock)
        self.release = ReleasePass(
            runs=RunStore(table, clock),
            definitions=DefinitionStore(table, clock),
            jobs=jobs,
            bulk=jobs.bulk,
            outbox=Outbox(table),
            window=settings.release_window,
        )

    @classmethod
    def from_environment(cls, aws: AwsClients, environ: Mapping[str, str] | None = None) -> EvaluationDispatcher:
        return cls(DispatcherSettings.from_environment(environ, prefix=ENV_PREFIX), aws)

    def dispatch(self, requests: Sequence[DispatchRequest]) -> PassReport:
        sweep = any(request.reason == SWEEP for request in requests)
        if sweep:
            self.stalled.recover()
        report = self.release.run({run for request in requests for run in request.runs}, sweep=sweep)
        if report.more:
            self.wakeups.request("the last pass ran out of time")
        return report


def sweep_requester(aws: AwsClients, environ: Mapping[str, str] | None = None) -> Wakeups:
    """What the periodic sweep's function holds: a way to ask the dispatcher for a sweep pass."""
    settings = EvaluationSettings.from_environment(environ, prefix=ENV_PREFIX)
    return Wakeups(aws.client("sqs"), settings.dispatch_queue_url)
