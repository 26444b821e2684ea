"""SCRAPE_WEBSITE: fetch a page, keep its readable text as a context item (once per distinct text).

The text kept is the page's first `maxChars` characters, cut further to MAX_TEXT_BYTES
of UTF-8 so that its item fits DynamoDB's 400 KB whatever the script.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from content_jobs.data.context_items import ContextItemStore
from content_jobs.data.sources import SourceStore
from content_jobs.data.table import MAX_TEXT_BYTES, MAX_TITLE_BYTES, utf8_prefix
from content_jobs.payloads import ScrapeWebsitePayload
from content_jobs.processors.source_health import tracked
from content_jobs.providers.http import HttpClient
from content_jobs.providers.readable import readable_text
from conveyor.core.errors import PermanentError
from conveyor.jobs.context import JobContext


@dataclass(frozen=True)
class ScrapeWebsite:
    http: HttpClient
    sources: SourceStore
    items: ContextItemStore

    def __call__(self, payload: ScrapeWebsitePayload, job: JobContext) -> dict[str, Any]:
        url = str(payload.url)
        self.sources.register(payload.source_id, job.organization_id, "website", url)
        with tracked(self.sources, payload.source_id):
            response = self.http.checked("GET", url, headers={"Accept": "text/html"})
            content_type = response.headers.get("content-type", "")
            if "html" not in content_type:
                raise PermanentError(f"{url} is {content_type or 'of no content type'}, not HTML")
            page = readable_text(response.body)
            if not page.text:
                raise PermanentError(f"{url} has no readable text")
            text = utf8_prefix(page.text[: payload.max_chars], MAX_TEXT_BYTES)
            title = utf8_prefix(page.title, MAX_TITLE_BYTES)
            digest = hashlib.sha256(text.encode()).hexdigest()
            job.checkpoint()
            stored = self.items.add(
                payload.source_id,
                digest[:32],
                {"kind": "webpage", "url": url, "title": title, "text": text, "jobId": job.job_id},
            )
        return {
            "sourceId": payload.source_id,
            "title": title,
            "chars": len(text),
            "truncated": len(text) < len(page.text),
            "new": stored,
            "sha256": digest,
        }
