"""The content-jobs worker's composition root: the job engine's rule (`conveyor.jobs.worker`)
with a processor per content job type, each given only the providers it uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from content_jobs.catalog import REGISTRY, JobType
from content_jobs.data.accounts import AccountStore
from content_jobs.data.analytics import AnalyticsStore
from content_jobs.data.content import ContentStore
from content_jobs.data.context_items import ContextItemStore
from content_jobs.data.sources import SourceStore
from content_jobs.data.table import DataTable
from content_jobs.processors.accounts import ConnectedAccounts
from content_jobs.processors.analytics import SyncAnalytics
from content_jobs.processors.content import GenerateContent
from content_jobs.processors.documents import ProcessDocument
from content_jobs.processors.images import GenerateImage
from content_jobs.processors.noop import noop
from content_jobs.processors.publishing import PublishContent
from content_jobs.processors.rss import SyncRss
from content_jobs.processors.tokens import RefreshToken
from content_jobs.processors.website import ScrapeWebsite
from content_jobs.providers.addresses import AddressPolicy
from content_jobs.providers.content_factory import TemplateContentFactory
from content_jobs.providers.http import HttpClient
from content_jobs.providers.images import PatternImageGenerator
from content_jobs.providers.platform import HttpPlatformClient
from content_jobs.settings import WorkerSettings
from conveyor.core.aws import AwsClients
from conveyor.core.clock import Clock, system_clock
from conveyor.jobs.service import JobService
from conveyor.jobs.worker import JobWorker, Outcome, Processor


def processors(settings: WorkerSettings, aws: AwsClients, clock: Clock = system_clock) -> dict[str, Processor]:
    data = DataTable(aws.table(settings.data_table), clock)
    # Website and feed URLs come from payloads: those fetches reach public addresses only (and
    # the allowed networks). A platform's API URL is the connected account's, set by its owner.
    web = HttpClient(settings.http_timeout_seconds, clock, AddressPolicy(settings.fetch_allowed_networks))
    platform = HttpPlatformClient(HttpClient(settings.http_timeout_seconds, clock), clock)
    sources, items, content = SourceStore(data), ContextItemStore(data), ContentStore(data)
    account_store = AccountStore(data)
    accounts = ConnectedAccounts(account_store, clock)
    s3, bucket = aws.client("s3"), settings.documents_bucket
    return {
        JobType.GENERATE_CONTENT: GenerateContent(TemplateContentFactory(), content),
        JobType.SCRAPE_WEBSITE: ScrapeWebsite(web, sources, items),
        JobType.SYNC_RSS: SyncRss(web, sources, items),
        JobType.SYNC_ANALYTICS: SyncAnalytics(accounts, platform, AnalyticsStore(data)),
        JobType.REFRESH_TOKEN: RefreshToken(accounts, platform, account_store),
        JobType.PROCESS_DOCUMENT: ProcessDocument(s3, bucket, content),
        JobType.PUBLISH_CONTENT: PublishContent(accounts, platform, content),
        JobType.GENERATE_IMAGE: GenerateImage(PatternImageGenerator(), s3, bucket),
        JobType.NOOP: noop,
    }


class ContentJobsWorker:
    """Consumes every content-jobs queue; a record's queue is its eventSourceARN's."""

    def __init__(self, settings: WorkerSettings, aws: AwsClients, clock: Clock = system_clock) -> None:
        self.jobs = JobService.build(settings, aws, REGISTRY, clock)
        self.rule = JobWorker(
            jobs=self.jobs,
            processors=processors(settings, aws, clock),
            policy=settings.retry_policy(),
            org_running_limit=settings.org_running_limit,
            org_wait_seconds=settings.org_wait_seconds,
            clock=clock,
        )

    @classmethod
    def from_environment(cls, aws: AwsClients, environ: Mapping[str, str] | None = None) -> ContentJobsWorker:
        return cls(WorkerSettings.from_environment(environ), aws)

    def handle_batch(self, records: Sequence[SQSRecord]) -> dict[str, Outcome | Exception]:
        return self.rule.handle_batch(records)

    def queue_of(self, record: SQSRecord) -> str:
        return self.jobs.queues.queue_of(record.event_source_arn)
