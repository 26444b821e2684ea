"""The stores and providers the job functions use, built once per process from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from conveyor.aws import client, table
from conveyor.jobs.backoff import RetryPolicy
from conveyor.jobs.data.accounts import AccountStore
from conveyor.jobs.data.analytics import AnalyticsStore
from conveyor.jobs.data.content import ContentStore
from conveyor.jobs.data.context_items import ContextItemStore
from conveyor.jobs.data.sources import SourceStore
from conveyor.jobs.data.table import DataTable
from conveyor.jobs.providers.content_factory import ContentFactory, TemplateContentFactory
from conveyor.jobs.providers.http import HttpClient
from conveyor.jobs.providers.images import ImageGenerator, PatternImageGenerator
from conveyor.jobs.providers.platform import HttpPlatformClient, PlatformClient
from conveyor.jobs.queues import JobQueues
from conveyor.jobs.settings import JobSettings, job_settings
from conveyor.jobs.store import JobStore


@dataclass(frozen=True)
class Services:
    settings: JobSettings
    jobs: JobStore
    queues: JobQueues
    sources: SourceStore
    context_items: ContextItemStore
    accounts: AccountStore
    analytics: AnalyticsStore
    content: ContentStore
    http: HttpClient
    platform: PlatformClient
    content_factory: ContentFactory
    images: ImageGenerator
    s3: Any

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(self.settings.max_attempts, self.settings.backoff_seconds)


@cache
def services() -> Services:
    settings = job_settings()
    data = DataTable(table(settings.data_table))
    http = HttpClient(settings.http_timeout_seconds)
    return Services(
        settings=settings,
        jobs=JobStore(table(settings.jobs_table), settings.org_running_limit),
        queues=JobQueues(settings),
        sources=SourceStore(data),
        context_items=ContextItemStore(data),
        accounts=AccountStore(data),
        analytics=AnalyticsStore(data),
        content=ContentStore(data),
        http=http,
        platform=HttpPlatformClient(http),
        content_factory=TemplateContentFactory(),
        images=PatternImageGenerator(),
        s3=client("s3"),
    )
