"""PUBLISH_CONTENT: post a content item's variation to a connected account, once.

Once, however many jobs publish the same content to the same platform and however
often one is retried:

- a claim on the content item first (`ContentStore.claim_publication`): another job
  holding it postpones this one (`Busy`, no attempt spent) until it is done or its
  lease is over; a content item published there already answers with that post;
- the post carries an idempotency key made of the organization, content, platform and
  account (`publication_key`), the same for every job and attempt: a platform that
  stored the post and then failed (a 503, a timeout, a worker killed) answers the next
  call with the same post.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from content_jobs.data.content import ContentStore
from content_jobs.payloads import PublishContentPayload
from content_jobs.processors.accounts import ConnectedAccounts
from content_jobs.providers.platform import PlatformClient
from conveyor.core.errors import PermanentError
from conveyor.jobs.context import JobContext
from conveyor.jobs.errors import Busy

# How often a job waiting for another's claim looks again (at most).
CLAIM_POLL_SECONDS = 5


@dataclass(frozen=True)
class PublishContent:
    accounts: ConnectedAccounts
    platform: PlatformClient
    content: ContentStore

    def __call__(self, payload: PublishContentPayload, job: JobContext) -> dict[str, Any]:
        platform, organization = payload.platform.value, job.organization_id
        content = self.content.get(organization, payload.content_id)
        if content is None:
            raise PermanentError(f"no content {payload.content_id!r} in organization {organization}")
        if platform in content.get("published", {}):
            return self._already(payload, content["published"][platform])
        variation = content["variations"].get(platform)
        if variation is None:
            raise PermanentError(f"content {payload.content_id} has no {platform} variation")
        account = self.accounts.usable(payload.account_id, organization)
        if account.platform != platform:
            raise PermanentError(f"account {account.id} is on {account.platform}, not {platform}")

        claim = self.content.claim_publication(organization, payload.content_id, platform, job.job_id)
        if claim.published is not None:
            return self._already(payload, claim.published)
        if not claim.granted:
            wait = max(1, min(claim.seconds_left, CLAIM_POLL_SECONDS))
            raise Busy(
                f"content {payload.content_id} is being published to {platform} by job {claim.held_by}",
                retry_after=wait,
            )
        job.checkpoint()
        key = publication_key(organization, payload.content_id, platform, account.id)
        with self.accounts.reauthorization_noted(account):
            post = self.platform.publish(account, variation["text"], key)
        if not self.content.mark_published(organization, payload.content_id, platform, post):
            return self._already(payload, self.content.get(organization, payload.content_id)["published"][platform])
        return {"contentId": payload.content_id, "platform": platform, **post, "alreadyPublished": False}

    @staticmethod
    def _already(payload: PublishContentPayload, published: dict[str, Any]) -> dict[str, Any]:
        return {
            "contentId": payload.content_id,
            "platform": payload.platform.value,
            **published,
            "alreadyPublished": True,
        }


def publication_key(organization_id: str, content_id: str, platform: str, account_id: str) -> str:
    """The idempotency key of publishing this content to this account: the same for every job and attempt."""
    digest = hashlib.sha256(f"{organization_id}\n{content_id}\n{platform}\n{account_id}".encode()).hexdigest()
    return f"conveyor-publish-{digest[:40]}"
