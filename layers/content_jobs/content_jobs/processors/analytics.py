"""SYNC_ANALYTICS: collect an account's post metrics and turn them into a learning record."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from content_jobs.data.accounts import Account
from content_jobs.data.analytics import AnalyticsStore
from content_jobs.payloads import SyncAnalyticsPayload
from content_jobs.processors.accounts import ConnectedAccounts
from content_jobs.providers.platform import METRIC_FIELDS, PlatformClient
from conveyor.core.clock import parse_iso
from conveyor.jobs.context import JobContext


@dataclass(frozen=True)
class SyncAnalytics:
    accounts: ConnectedAccounts
    platform: PlatformClient
    analytics: AnalyticsStore

    def __call__(self, payload: SyncAnalyticsPayload, job: JobContext) -> dict[str, Any]:
        account = self.accounts.usable(payload.account_id, job.organization_id)
        with self.accounts.reauthorization_noted(account):
            posts = self.platform.post_metrics(account)
        job.checkpoint()
        self.analytics.save_post_metrics(account.id, posts)
        learning = learning_record(account, posts)
        self.analytics.save_learning(account.organization_id, account.id, learning)
        return {"accountId": account.id, "posts": len(posts), "learning": learning}


def learning_record(account: Account, posts: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals, engagement rate, the best post and the posting hour that engages most."""
    totals = {name: sum(post[name] for post in posts) for name in METRIC_FIELDS}
    engaged = totals["likes"] + totals["comments"] + totals["shares"] + totals["clicks"]
    rates = {post["postId"]: _engagement_rate(post) for post in posts}
    by_hour: Counter[int] = Counter()
    for post in posts:
        if post.get("publishedAt"):
            by_hour[parse_iso(post["publishedAt"]).hour] += _engaged(post)
    return {
        "accountId": account.id,
        "platform": account.platform,
        "posts": len(posts),
        "totals": totals,
        "engagementRate": round(engaged / totals["impressions"], 4) if totals["impressions"] else 0.0,
        "bestPostId": max(rates, key=lambda post_id: rates[post_id]) if rates else None,
        "bestHourUtc": by_hour.most_common(1)[0][0] if by_hour else None,
    }


def _engaged(post: dict[str, Any]) -> int:
    return post["likes"] + post["comments"] + post["shares"] + post["clicks"]


def _engagement_rate(post: dict[str, Any]) -> float:
    return _engaged(post) / post["impressions"] if post["impressions"] else 0.0
