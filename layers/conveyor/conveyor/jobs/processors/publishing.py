"""PUBLISH_CONTENT: post a content item's variation to a connected account, once."""

from __future__ import annotations

from typing import Any

from conveyor.jobs.context import JobContext
from conveyor.jobs.errors import NeedsReauthorization, PermanentJobError
from conveyor.jobs.payloads import PublishContentPayload
from conveyor.jobs.processors.analytics import usable_account
from conveyor.jobs.services import Services


def publish_content(payload: PublishContentPayload, job: JobContext, services: Services) -> dict[str, Any]:
    platform = payload.platform.value
    content = services.content.get(job.organization_id, payload.content_id)
    if content is None:
        raise PermanentJobError(f"no content {payload.content_id!r} in organization {job.organization_id}")
    if platform in content.get("published", {}):
        return {
            "contentId": payload.content_id,
            "platform": platform,
            **content["published"][platform],
            "alreadyPublished": True,
        }
    variation = content["variations"].get(platform)
    if variation is None:
        raise PermanentJobError(f"content {payload.content_id} has no {platform} variation")
    account = usable_account(services, payload.account_id)
    if account.platform != platform:
        raise PermanentJobError(f"account {account.id} is on {account.platform}, not {platform}")
    job.checkpoint()
    try:
        post = services.platform.publish(account, variation["text"])
    except NeedsReauthorization as error:
        services.accounts.needs_reauth(account.id, str(error))
        raise
    services.content.mark_published(job.organization_id, payload.content_id, platform, post)
    return {"contentId": payload.content_id, "platform": platform, **post, "alreadyPublished": False}
