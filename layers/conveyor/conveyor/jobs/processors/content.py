"""GENERATE_CONTENT: one variation per platform from the content factory, saved as a content item."""

from __future__ import annotations

from typing import Any

from conveyor.jobs.context import JobContext
from conveyor.jobs.payloads import GenerateContentPayload
from conveyor.jobs.services import Services


def generate_content(payload: GenerateContentPayload, job: JobContext, services: Services) -> dict[str, Any]:
    variations = {}
    for platform in dict.fromkeys(payload.platforms):
        job.checkpoint()  # a long generation shows progress, and stops when cancelled
        variation = services.content_factory.generate(payload.topic, platform, payload.tone, payload.keywords)
        variations[platform.value] = variation.summary()
    job.checkpoint()
    services.content.save(job.organization_id, job.job_id, payload.topic, variations)
    return {"contentId": job.job_id, "variations": variations}
