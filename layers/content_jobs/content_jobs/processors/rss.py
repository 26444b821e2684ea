"""SYNC_RSS: read an RSS or Atom feed and store the entries the source does not have yet."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import feedparser

from content_jobs.data.context_items import ContextItemStore
from content_jobs.data.sources import SourceStore
from content_jobs.data.table import MAX_LINK_BYTES, MAX_TEXT_BYTES, MAX_TITLE_BYTES, utf8_prefix
from content_jobs.payloads import SyncRssPayload
from content_jobs.processors.source_health import tracked
from content_jobs.providers.http import HttpClient
from content_jobs.providers.readable import readable_text
from conveyor.core.errors import PermanentError
from conveyor.jobs.context import JobContext

_FEED_TYPES = "application/rss+xml, application/atom+xml"


@dataclass(frozen=True)
class SyncRss:
    http: HttpClient
    sources: SourceStore
    items: ContextItemStore

    def __call__(self, payload: SyncRssPayload, job: JobContext) -> dict[str, Any]:
        url = str(payload.feed_url)
        self.sources.register(payload.source_id, job.organization_id, "rss", url)
        with tracked(self.sources, payload.source_id):
            response = self.http.checked("GET", url, headers={"Accept": _FEED_TYPES})
            feed = feedparser.parse(response.body)
            if feed.bozo and not feed.entries:
                raise PermanentError(f"{url} is not an RSS or Atom feed: {feed.get('bozo_exception')}")
            job.checkpoint()
            new = [entry for entry in feed.entries if self._store(payload.source_id, entry, job.job_id)]
        return {
            "sourceId": payload.source_id,
            "feedTitle": feed.feed.get("title", ""),
            "format": feed.get("version", ""),
            "entries": len(feed.entries),
            "new": len(new),
        }

    def _store(self, source_id: str, entry: Any, job_id: str) -> bool:
        identity = entry.get("id") or entry.get("link") or entry.get("title", "")
        summary = entry.get("summary", "")
        fields = {  # what a feed says is cut to fit an item
            "kind": "feed-entry",
            "title": utf8_prefix(entry.get("title", ""), MAX_TITLE_BYTES),
            "url": utf8_prefix(entry.get("link", ""), MAX_LINK_BYTES),
            "publishedAt": utf8_prefix(entry.get("published", entry.get("updated", "")), MAX_TITLE_BYTES),
            "text": utf8_prefix(readable_text(summary).text, MAX_TEXT_BYTES) if summary else "",
            "jobId": job_id,
        }
        return self.items.add(source_id, hashlib.sha256(identity.encode()).hexdigest()[:32], fields)
