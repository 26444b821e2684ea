"""PUBLISH_CONTENT: post a content item's variation to a connected account, once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from content_jobs.data.content import ContentStore
from content_jobs.payloads import PublishContentPayload
from content_jobs.processors.accounts import ConnectedAccounts
from content_jobs.providers.platform import PlatformClient
from conveyor.core.errors import PermanentError
from conveyor.jobs.context import JobContext


@dataclass(frozen=True)
class PublishContent:
    accounts: ConnectedAccounts
    platform: PlatformClient
    content: ContentStore

    def __call__(self, payload: PublishContentPayload, job: JobContext) -> dict[str, Any]:
        platform = payload.platform.value
        content = self.content.get(job.organization_id, payload.content_id)
        if content is None:
            raise PermanentError(f"no content {payload.content_id!r} in organization {job.organization_id}")
        if platform in content.get("published", {}):
            published = content["published"][platform]
            return {"contentId": payload.content_id, "platform": platform, **published, "alreadyPublished": True}
        variation = content["variations"].get(platform)
        if variation is None:
            raise PermanentError(f"content {payload.content_id} has no {platform} variation")
        account = self.accounts.usable(payload.account_id)
        if account.platform != platform:
            raise PermanentError(f"account {account.id} is on {account.platform}, not {platform}")
        job.checkpoint()
        with self.accounts.reauthorization_noted(account):
            post = self.platform.publish(account, variation["text"])
        self.content.mark_published(job.organization_id, payload.content_id, platform, post)
        return {"contentId": payload.content_id, "platform": platform, **post, "alreadyPublished": False}
