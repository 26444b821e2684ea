"""What each job type does. A processor takes its typed payload, the job's context and
the services, and returns the job's result (JSON-able)."""

from __future__ import annotations

from functools import partial

from conveyor.jobs.catalog import JobType
from conveyor.jobs.processors import (
    analytics,
    content,
    documents,
    images,
    publishing,
    rss,
    tokens,
    website,
)
from conveyor.jobs.services import Services
from conveyor.jobs.worker import Processor

_PROCESSORS = {
    JobType.GENERATE_CONTENT: content.generate_content,
    JobType.SCRAPE_WEBSITE: website.scrape_website,
    JobType.SYNC_RSS: rss.sync_rss,
    JobType.SYNC_ANALYTICS: analytics.sync_analytics,
    JobType.REFRESH_TOKEN: tokens.refresh_token,
    JobType.PROCESS_DOCUMENT: documents.process_document,
    JobType.PUBLISH_CONTENT: publishing.publish_content,
    JobType.GENERATE_IMAGE: images.generate_image,
    JobType.NOOP: lambda payload, job, services: {"echo": payload.echo},
}


def processors(services: Services) -> dict[JobType, Processor]:
    return {job_type: partial(run, services=services) for job_type, run in _PROCESSORS.items()}
