"""SCRAPE_WEBSITE: fetch a page, keep its readable text as a context item (once per distinct text)."""

from __future__ import annotations

import hashlib
from typing import Any

from conveyor.jobs.context import JobContext
from conveyor.jobs.errors import PermanentJobError
from conveyor.jobs.payloads import ScrapeWebsitePayload
from conveyor.jobs.processors.source_health import tracked
from conveyor.jobs.providers.readable import readable_text
from conveyor.jobs.services import Services


def scrape_website(payload: ScrapeWebsitePayload, job: JobContext, services: Services) -> dict[str, Any]:
    url = str(payload.url)
    services.sources.register(payload.source_id, job.organization_id, "website", url)
    with tracked(services.sources, payload.source_id):
        response = services.http.checked("GET", url, headers={"Accept": "text/html"})
        content_type = response.headers.get("content-type", "")
        if "html" not in content_type:
            raise PermanentJobError(f"{url} is {content_type or 'of no content type'}, not HTML")
        page = readable_text(response.body)
        if not page.text:
            raise PermanentJobError(f"{url} has no readable text")
        text = page.text[: payload.max_chars]
        digest = hashlib.sha256(text.encode()).hexdigest()
        job.checkpoint()
        stored = services.context_items.add(
            payload.source_id,
            digest[:32],
            {"kind": "webpage", "url": url, "title": page.title, "text": text, "jobId": job.job_id},
        )
    return {"sourceId": payload.source_id, "title": page.title, "chars": len(text), "new": stored, "sha256": digest}
