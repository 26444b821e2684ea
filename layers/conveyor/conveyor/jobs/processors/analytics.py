"""SYNC_ANALYTICS: collect an account's post metrics and turn them into a learning record."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from conveyor.jobs.context import JobContext
from conveyor.jobs.data.accounts import Account
from conveyor.jobs.errors import NeedsReauthorization, PermanentJobError
from conveyor.jobs.payloads import SyncAnalyticsPayload
from conveyor.jobs.providers.platform import METRIC_FIELDS
from conveyor.jobs.services import Services


def sync_analytics(payload: SyncAnalyticsPayload, job: JobContext, services: Services) -> dict[str, Any]:
    account = usable_account(services, payload.account_id)
    try:
        posts = services.platform.post_metrics(account)
    except NeedsReauthorization as error:
        services.accounts.needs_reauth(account.id, str(error))
        raise
    job.checkpoint()
    services.analytics.save_post_metrics(account.id, posts)
    learning = learning_record(account, posts)
    services.analytics.save_learning(account.organization_id, account.id, learning)
    return {"accountId": account.id, "posts": len(posts), "learning": learning}


def connected_account(services: Services, account_id: str) -> Account:
    account = services.accounts.get(account_id)
    if account is None:
        raise PermanentJobError(f"no connected account {account_id!r}")
    return account


def usable_account(services: Services, account_id: str) -> Account:
    """The account, unless it is unknown or must be re-authorized first (never worth a retry)."""
    account = connected_account(services, account_id)
    if account.needs_reauth:
        raise NeedsReauthorization(f"account {account_id} needs re-authorization")
    if account.token_expired():
        reason = f"access token expired at {account.token_expires_at}"
        services.accounts.needs_reauth(account_id, reason)
        raise NeedsReauthorization(f"account {account_id}: {reason}")
    return account


def learning_record(account: Account, posts: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals, engagement rate, the best post and the posting hour that engages most."""
    totals = {name: sum(post[name] for post in posts) for name in METRIC_FIELDS}
    engaged = totals["likes"] + totals["comments"] + totals["shares"] + totals["clicks"]
    rates = {post["postId"]: _engagement_rate(post) for post in posts}
    by_hour: Counter[int] = Counter()
    for post in posts:
        if post.get("publishedAt"):
            by_hour[datetime.fromisoformat(post["publishedAt"].replace("Z", "+00:00")).hour] += _engaged(post)
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
