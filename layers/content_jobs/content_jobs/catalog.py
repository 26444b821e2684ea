"""The content jobs: their types, the queue each one runs on, and its payload model.

    queue                 job types                                                     concurrency  lock
    content-generation    GENERATE_CONTENT                                              10           5 min
    context-scraping      SCRAPE_WEBSITE, SYNC_RSS                                      30           2 min
    analytics-sync        SYNC_ANALYTICS                                                60           3 min
    supporting            REFRESH_TOKEN, PROCESS_DOCUMENT, PUBLISH_CONTENT,             10           2 min
                          GENERATE_IMAGE, NOOP

Concurrency (the event source mapping's MaximumConcurrency) and lock (the queue's
visibility timeout) are set per queue in stacks/content-jobs.yaml.
"""

from __future__ import annotations

from enum import StrEnum

from content_jobs.payloads import (
    GenerateContentPayload,
    GenerateImagePayload,
    NoopPayload,
    ProcessDocumentPayload,
    PublishContentPayload,
    RefreshTokenPayload,
    ScrapeWebsitePayload,
    SyncAnalyticsPayload,
    SyncRssPayload,
)
from conveyor.jobs.registry import JobKind, JobRegistry


class JobType(StrEnum):
    GENERATE_CONTENT = "GENERATE_CONTENT"
    SCRAPE_WEBSITE = "SCRAPE_WEBSITE"
    SYNC_RSS = "SYNC_RSS"
    SYNC_ANALYTICS = "SYNC_ANALYTICS"
    REFRESH_TOKEN = "REFRESH_TOKEN"
    PROCESS_DOCUMENT = "PROCESS_DOCUMENT"
    PUBLISH_CONTENT = "PUBLISH_CONTENT"
    GENERATE_IMAGE = "GENERATE_IMAGE"
    # Does nothing: measures the job pipeline itself (bench/jobs.py) and checks a deployment.
    NOOP = "NOOP"


class QueueName(StrEnum):
    CONTENT_GENERATION = "content-generation"
    CONTEXT_SCRAPING = "context-scraping"
    ANALYTICS_SYNC = "analytics-sync"
    SUPPORTING = "supporting"


REGISTRY = JobRegistry(
    JobType,
    QueueName,
    {
        JobType.GENERATE_CONTENT: JobKind(QueueName.CONTENT_GENERATION, GenerateContentPayload),
        JobType.SCRAPE_WEBSITE: JobKind(QueueName.CONTEXT_SCRAPING, ScrapeWebsitePayload),
        JobType.SYNC_RSS: JobKind(QueueName.CONTEXT_SCRAPING, SyncRssPayload),
        JobType.SYNC_ANALYTICS: JobKind(QueueName.ANALYTICS_SYNC, SyncAnalyticsPayload),
        JobType.REFRESH_TOKEN: JobKind(QueueName.SUPPORTING, RefreshTokenPayload),
        JobType.PROCESS_DOCUMENT: JobKind(QueueName.SUPPORTING, ProcessDocumentPayload),
        JobType.PUBLISH_CONTENT: JobKind(QueueName.SUPPORTING, PublishContentPayload),
        JobType.GENERATE_IMAGE: JobKind(QueueName.SUPPORTING, GenerateImagePayload),
        JobType.NOOP: JobKind(QueueName.SUPPORTING, NoopPayload),
    },
)
