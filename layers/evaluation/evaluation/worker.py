"""The evaluation worker's composition root: the job engine's rule with a processor per
evaluation job type, inside the run's rule for a delivery (`evaluation.delivery`)."""

from __future__ import annotations

from collections.abc import Mapping

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from conveyor.core.aws import AwsClients
from conveyor.core.clock import Clock, system_clock
from conveyor.jobs.service import JobService
from conveyor.jobs.worker import JobWorker
from evaluation.catalog import REGISTRY, JobType
from evaluation.definitions import AnalysisKind
from evaluation.delivery import EvaluationDeliveries
from evaluation.processors import Analyze, Probe
from evaluation.providers.catalog import model_catalog
from evaluation.runs.store import RunStore
from evaluation.runs.tasks import TaskLog
from evaluation.settings import ENV_PREFIX, WorkerSettings
from evaluation.wakeups import Wakeups


class EvaluationWorker:
    """Consumes the three evaluation queues; a record's queue is its eventSourceARN's."""

    def __init__(self, settings: WorkerSettings, aws: AwsClients, clock: Clock = system_clock) -> None:
        self.jobs = JobService.build(settings, aws, REGISTRY, clock)
        table, jobs_table = aws.table(settings.table), aws.table(settings.jobs_table)
        models = model_catalog(
            settings.openai_base_url,
            settings.openai_api_key,
            settings.model_timeout_seconds,
            settings.local_model_latency_ms,
        )
        rule = JobWorker(
            jobs=self.jobs,
            processors={
                JobType.PROBE_SCENARIO: Probe(models),
                JobType.ANALYZE_BASIC: Analyze(AnalysisKind.BASIC, self.jobs.store),
                JobType.ANALYZE_DEEP: Analyze(AnalysisKind.DEEP, self.jobs.store),
            },
            policy=settings.retry_policy(),
            org_running_limit=settings.org_running_limit,
            org_wait_seconds=settings.org_wait_seconds,
            clock=clock,
        )
        self.deliveries = EvaluationDeliveries(
            jobs=self.jobs,
            rule=rule,
            runs=RunStore(table, clock),
            tasks=TaskLog(table, jobs_table, clock),
            bulk=self.jobs.bulk,
            wakeups=Wakeups(aws.client("sqs"), settings.dispatch_queue_url),
            hold_seconds=settings.hold_seconds,
        )

    @classmethod
    def from_environment(cls, aws: AwsClients, environ: Mapping[str, str] | None = None) -> EvaluationWorker:
        return cls(WorkerSettings.from_environment(environ, prefix=ENV_PREFIX), aws)

    def handle(self, record: SQSRecord) -> str:
        return self.deliveries.handle(record)

    def end_batch(self) -> None:
        self.deliveries.end_batch()

    def queue_of(self, record: SQSRecord) -> str:
        return self.jobs.queues.queue_of(record.event_source_arn)
