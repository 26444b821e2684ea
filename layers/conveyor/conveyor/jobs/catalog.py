"""The job types, the queue each one runs on, and the statuses a job goes through."""

from __future__ import annotations

from enum import StrEnum


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


class JobStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


QUEUE_OF: dict[JobType, QueueName] = {
    JobType.GENERATE_CONTENT: QueueName.CONTENT_GENERATION,
    JobType.SCRAPE_WEBSITE: QueueName.CONTEXT_SCRAPING,
    JobType.SYNC_RSS: QueueName.CONTEXT_SCRAPING,
    JobType.SYNC_ANALYTICS: QueueName.ANALYTICS_SYNC,
    JobType.REFRESH_TOKEN: QueueName.SUPPORTING,
    JobType.PROCESS_DOCUMENT: QueueName.SUPPORTING,
    JobType.PUBLISH_CONTENT: QueueName.SUPPORTING,
    JobType.GENERATE_IMAGE: QueueName.SUPPORTING,
    JobType.NOOP: QueueName.SUPPORTING,
}

# A job in one of these may still run; the others are final until retried.
ACTIVE = frozenset({JobStatus.PENDING, JobStatus.RUNNING})
RETRYABLE = frozenset({JobStatus.FAILED, JobStatus.CANCELLED})
