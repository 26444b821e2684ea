"""SYNC_RSS: read an RSS or Atom feed and store the entries the source does not have yet."""

from __future__ import annotations

import hashlib
from typing import Any

import feedparser

from conveyor.jobs.context import JobContext
from conveyor.jobs.errors import PermanentJobError
from conveyor.jobs.payloads import SyncRssPayload
from conveyor.jobs.processors.source_health import tracked
from conveyor.jobs.providers.readable import readable_text
from conveyor.jobs.services import Services


def sync_rss(payload: SyncRssPayload, job: JobContext, services: Services) -> dict[str, Any]:
    url = str(payload.feed_url)
    services.sources.register(payload.source_id, job.organization_id, "rss", url)
    with tracked(services.sources, payload.source_id):
        response = services.http.checked("GET", url, headers={"Accept": "application/rss+xml, application/atom+xml"})
        feed = feedparser.parse(response.body)
        if feed.bozo and not feed.entries:
            raise PermanentJobError(f"{url} is not an RSS or Atom feed: {feed.get('bozo_exception')}")
        job.checkpoint()
        new = [entry for entry in feed.entries if _store(services, payload.source_id, entry, job.job_id)]
    return {
        "sourceId": payload.source_id,
        "feedTitle": feed.feed.get("title", ""),
        "format": feed.get("version", ""),
        "entries": len(feed.entries),
        "new": len(new),
    }


def _store(services: Services, source_id: str, entry: Any, job_id: str) -> bool:
    identity = entry.get("id") or entry.get("link") or entry.get("title", "")
    summary = entry.get("summary", "")
    fields = {
        "kind": "feed-entry",
        "title": entry.get("title", ""),
        "url": entry.get("link", ""),
        "publishedAt": entry.get("published", entry.get("updated", "")),
        "text": readable_text(summary).text if summary else "",
        "jobId": job_id,
    }
    return services.context_items.add(source_id, hashlib.sha256(identity.encode()).hexdigest()[:32], fields)
