"""GENERATE_CONTENT: one variation per platform from the content factory, saved as a content item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from content_jobs.data.content import ContentStore
from content_jobs.payloads import GenerateContentPayload
from content_jobs.providers.content_factory import ContentFactory
from conveyor.jobs.context import JobContext


@dataclass(frozen=True)
class GenerateContent:
    factory: ContentFactory
    content: ContentStore

    def __call__(self, payload: GenerateContentPayload, job: JobContext) -> dict[str, Any]:
        variations = {}
        for platform in dict.fromkeys(payload.platforms):
            job.checkpoint()  # a long generation shows progress, and stops when cancelled
            variation = self.factory.generate(payload.topic, platform, payload.tone, payload.keywords)
            variations[platform.value] = variation.summary()
        job.checkpoint()
        self.content.save(job.organization_id, job.job_id, payload.topic, variations)
        return {"contentId": job.job_id, "variations": variations}
