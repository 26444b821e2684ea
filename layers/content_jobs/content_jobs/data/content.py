"""Generated content with its per-platform variations, and where it was published; processed documents.

Publishing a variation is claimed first: a claim names the job and lasts a lease
(`CLAIM_LEASE_SECONDS`, longer than one call to a platform), so jobs publishing the same
content to the same platform call the platform one at a time; when the claimant is gone,
its claim expires and another job takes over (with the same idempotency key: the
platform answers with the post it already made).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from content_jobs.data.table import DataTable
from conveyor.core.dynamo import Condition, Update, condition_failed, old_item, plain, to_dynamo

CLAIM_LEASE_SECONDS = 60


@dataclass(frozen=True)
class Claim:
    """How a claim to publish went: granted, or why not."""

    granted: bool
    published: dict[str, Any] | None = None  # the post, when the content is published there already
    held_by: str | None = None  # the job holding the claim
    seconds_left: int = 0  # of that job's lease


class ContentStore:
    def __init__(self, data: DataTable) -> None:
        self._data = data

    def save(self, organization_id: str, content_id: str, topic: str, variations: dict[str, Any]) -> None:
        item = {
            "pk": f"ORG#{organization_id}",
            "sk": f"CONTENT#{content_id}",
            "topic": topic,
            "variations": to_dynamo(variations),
            "published": {},
            "createdAt": self._data.now(),
        }
        self._data.put(item)

    def get(self, organization_id: str, content_id: str) -> dict[str, Any] | None:
        return self._data.get(f"ORG#{organization_id}", f"CONTENT#{content_id}")

    def claim_publication(self, organization_id: str, content_id: str, platform: str, job_id: str) -> Claim:
        """Claim publishing the content to `platform` for `job_id`: granted when nobody holds the
        claim, `job_id` does, or its holder's lease is over; not when the content is published
        there already or another job holds it."""
        now = self._data.now_ms()
        claim = _claim_attribute(platform)
        update = Update(set={claim: {"jobId": job_id, "untilMs": now + CLAIM_LEASE_SECONDS * 1000}})
        free = Condition(
            "attribute_exists(pk) AND attribute_not_exists(published.#platform) AND "
            "(attribute_not_exists(#claim) OR #claim.jobId = :job OR #claim.untilMs < :now)",
            {"#platform": platform, "#claim": claim},
            {":job": job_id, ":now": now},
        )
        try:
            self._data.update(f"ORG#{organization_id}", f"CONTENT#{content_id}", update, free)
        except ClientError as error:
            if not condition_failed(error):
                raise
            item = plain(old_item(error) or {})
            published = item.get("published", {}).get(platform)
            if published is not None:
                return Claim(False, published=published)
            held = item.get(claim) or {}
            return Claim(
                False, held_by=held.get("jobId"), seconds_left=max(0, (held.get("untilMs", now) - now) // 1000)
            )
        return Claim(True)

    def mark_published(self, organization_id: str, content_id: str, platform: str, post: dict[str, Any]) -> bool:
        """Record the post and let go of the claim; False when this content was already published there."""
        update = Update(
            set={f"published.{platform}": {**to_dynamo(post), "publishedAt": self._data.now()}},
            remove=(_claim_attribute(platform),),
        )
        not_yet = Condition("attribute_not_exists(published.#platform)", {"#platform": platform})
        try:
            self._data.update(f"ORG#{organization_id}", f"CONTENT#{content_id}", update, not_yet)
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def save_document(self, organization_id: str, document_id: str, fields: dict[str, Any]) -> None:
        item = {"pk": f"ORG#{organization_id}", "sk": f"DOCUMENT#{document_id}", "processedAt": self._data.now()}
        self._data.put({**item, **to_dynamo(fields)})

    def document(self, organization_id: str, document_id: str) -> dict[str, Any] | None:
        return self._data.get(f"ORG#{organization_id}", f"DOCUMENT#{document_id}")


def _claim_attribute(platform: str) -> str:
    """A top-level attribute per platform (`linkedinClaim`): content saved before claims existed has no map for them."""
    return f"{platform}Claim"
