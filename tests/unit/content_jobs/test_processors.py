"""The processors on moto: each job uses only its organization's accounts, sources and
documents, and a content item is posted to a platform once however many jobs publish it
and however they fail (`processors/publishing.py`), against a platform that honours
idempotency keys as real platforms do."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from content_jobs.data.accounts import Account, AccountStore
from content_jobs.data.content import CLAIM_LEASE_SECONDS, ContentStore
from content_jobs.data.context_items import ContextItemStore
from content_jobs.data.sources import SourceStore
from content_jobs.data.table import MAX_TEXT_BYTES, DataTable, ItemTooLarge
from content_jobs.errors import OtherOrganization
from content_jobs.payloads import (
    ProcessDocumentPayload,
    PublishContentPayload,
    RefreshTokenPayload,
    ScrapeWebsitePayload,
    SyncAnalyticsPayload,
)
from content_jobs.processors.accounts import ConnectedAccounts
from content_jobs.processors.analytics import SyncAnalytics
from content_jobs.processors.documents import ProcessDocument
from content_jobs.processors.publishing import PublishContent
from content_jobs.processors.source_health import tracked
from content_jobs.processors.tokens import RefreshToken
from content_jobs.processors.website import ScrapeWebsite
from content_jobs.providers.http import HttpClient, HttpResponse
from content_jobs.providers.platform import TokenGrant
from conveyor.core.aws import AwsClients
from conveyor.core.errors import PermanentError, TransientError
from conveyor.jobs.context import JobContext
from conveyor.jobs.errors import Busy
from conveyor.jobs.records import Job
from conveyor.jobs.status import JobStatus

from ...conftest import wait_for
from .conftest import ContentJobsResources, ManualClock


class WorkerKilled(BaseException):
    """The worker died right there."""


class KeyedPlatform:
    """A platform API that honours idempotency keys: the same key again answers with the post
    it made. `fail_after_storing` makes its next publishes store the post and then fail."""

    def __init__(self) -> None:
        self.posts: dict[str, dict[str, Any]] = {}  # by idempotency key
        self.calls: list[str] = []
        self.fail_after_storing: list[BaseException] = []
        self.answering = threading.Event()  # cleared: a publish call waits (a slow platform)
        self.answering.set()
        self._lock = threading.Lock()

    def publish(self, account: Account, text: str, idempotency_key: str) -> dict[str, Any]:
        self.answering.wait(timeout=30)
        with self._lock:
            self.calls.append(idempotency_key)
            post = self.posts.setdefault(idempotency_key, {"postId": f"post-{len(self.posts) + 1}", "url": "u"})
            if self.fail_after_storing:
                raise self.fail_after_storing.pop(0)
            return post

    def post_metrics(self, account: Account) -> list[dict[str, Any]]:
        self.calls.append(f"metrics {account.id}")
        return []

    def refresh_token(self, account: Account) -> TokenGrant:
        self.calls.append(f"refresh {account.id}")
        return TokenGrant("a", "r", "2099-01-01T00:00:00Z")


class World:
    def __init__(self, resources: ContentJobsResources, aws: AwsClients) -> None:
        self.clock = ManualClock()
        self.data = DataTable(aws.table(resources.data_table), self.clock)
        self.accounts, self.content = AccountStore(self.data), ContentStore(self.data)
        self.sources = SourceStore(self.data)
        self.platform = KeyedPlatform()
        connected = ConnectedAccounts(self.accounts, self.clock)
        self.publish = PublishContent(connected, self.platform, self.content)
        self.analytics = SyncAnalytics(connected, self.platform, None)  # type: ignore[arg-type] (never reached)
        self.refresh = RefreshToken(connected, self.platform, self.accounts)
        self.s3, self.bucket = aws.client("s3"), resources.bucket
        for org in ("org-1", "org-2"):
            self.accounts.connect(
                Account(
                    id=f"acct-{org}",
                    organization_id=org,
                    platform="linkedin",
                    api_url="http://platform",
                    access_token="t",
                    refresh_token="r",
                    token_expires_at="2099-01-01T00:00:00Z",
                )
            )
        self.content.save("org-1", "c-1", "launch", {"linkedin": {"text": "We launched."}})

    def job(self, job_id: str, org: str = "org-1") -> JobContext:
        record = Job(
            id=job_id, type="T", queue="q", organization_id=org, status=JobStatus.RUNNING, payload={}, created_at="t"
        )
        return JobContext(record, lambda: True)

    def publishing(self, job_id: str, org: str = "org-1", account: str = "acct-org-1") -> dict[str, Any]:
        payload = PublishContentPayload(content_id="c-1", account_id=account, platform="linkedin")
        return self.publish(payload, self.job(job_id, org))


@pytest.fixture
def world(content_jobs: ContentJobsResources, aws: AwsClients) -> World:
    return World(content_jobs, aws)


def test_concurrent_publish_jobs_post_once(world: World) -> None:
    world.platform.answering.clear()  # job a's call to the platform takes a while
    first: dict[str, Any] = {}
    job_a = threading.Thread(target=lambda: first.update(world.publishing("job-a")))
    job_a.start()
    wait_for(lambda: "linkedinClaim" in world.content.get("org-1", "c-1"), what="job a's claim")

    for name in "bcd":  # meanwhile: each waits for job a, without calling the platform
        with pytest.raises(Busy):
            world.publishing(f"job-{name}")
    world.platform.answering.set()
    job_a.join(timeout=30)
    later = [world.publishing(f"job-{name}") for name in "bcd"]  # their next delivery

    assert first["alreadyPublished"] is False and len(world.platform.calls) == 1
    assert {(r["postId"], r["alreadyPublished"]) for r in later} == {(first["postId"], True)}


def test_a_job_that_meets_another_jobs_claim_waits_without_spending_an_attempt(world: World) -> None:
    world.platform.fail_after_storing.append(WorkerKilled())
    with pytest.raises(WorkerKilled):  # job a stored the post on the platform, then died holding the claim
        world.publishing("job-a")

    with pytest.raises(Busy) as busy:
        world.publishing("job-b")
    assert "job-a" in str(busy.value) and 1 <= busy.value.retry_after <= 5

    world.clock.advance(CLAIM_LEASE_SECONDS + 1)  # job a's lease is over: b takes over, with the same key
    taken_over = world.publishing("job-b")
    assert (taken_over["postId"], taken_over["alreadyPublished"]) == ("post-1", False)
    assert len(world.platform.posts) == 1 and len(set(world.platform.calls)) == 1


def test_a_platform_that_stored_the_post_then_answered_503_is_not_posted_to_twice(world: World) -> None:
    world.platform.fail_after_storing.append(TransientError("POST /v1/accounts/acct-org-1/posts: HTTP 503"))
    with pytest.raises(TransientError):
        world.publishing("job-a")

    retried = world.publishing("job-a")  # the job's next attempt

    assert (retried["postId"], len(world.platform.posts), len(world.platform.calls)) == ("post-1", 1, 2)
    assert world.content.get("org-1", "c-1")["published"]["linkedin"]["postId"] == "post-1"


def test_the_idempotency_key_is_the_same_for_every_job_and_attempt_and_differs_per_content(world: World) -> None:
    world.platform.fail_after_storing.append(TransientError("503"))
    with pytest.raises(TransientError):
        world.publishing("job-a")
    world.clock.advance(CLAIM_LEASE_SECONDS + 1)
    world.publishing("job-b")
    world.content.save("org-1", "c-2", "other", {"linkedin": {"text": "Another."}})
    world.publish(PublishContentPayload(content_id="c-2", account_id="acct-org-1", platform="linkedin"), world.job("c"))

    first, second, other = world.platform.calls
    assert first == second != other


def test_a_job_cannot_use_another_organizations_account(world: World) -> None:
    world.content.save("org-2", "c-1", "theirs", {"linkedin": {"text": "Theirs."}})
    with pytest.raises(OtherOrganization, match="no connected account 'acct-org-1' in organization 'org-2'"):
        world.publishing("job-x", org="org-2", account="acct-org-1")
    with pytest.raises(OtherOrganization):
        world.analytics(SyncAnalyticsPayload(account_id="acct-org-1"), world.job("x", "org-2"))
    with pytest.raises(OtherOrganization):
        world.refresh(RefreshTokenPayload(account_id="acct-org-1"), world.job("x", "org-2"))
    assert world.platform.calls == []
    assert world.accounts.get("acct-org-1").access_token == "t"


def test_a_job_cannot_use_another_organizations_source(world: World) -> None:
    world.sources.register("blog", "org-1", "website", "http://blog/")
    scrape = ScrapeWebsite(HttpClient(1), world.sources, None)  # type: ignore[arg-type] (never reached)
    payload = ScrapeWebsitePayload(source_id="blog", url="http://elsewhere/")
    with pytest.raises(OtherOrganization, match="source id 'blog' is another organization's"):
        scrape(payload, world.job("x", "org-2"))
    blog = world.sources.get("blog")
    assert (blog.organization_id, blog.url, blog.consecutive_failures) == ("org-1", "http://blog/", 0)


def test_a_job_reads_only_its_organizations_documents(world: World) -> None:
    process = ProcessDocument(world.s3, world.bucket, world.content)
    world.s3.put_object(Bucket=world.bucket, Key="documents/org-1/brief.txt", Body=b"secret plans")
    theirs = ProcessDocumentPayload(document_id="d", key="documents/org-1/brief.txt")
    with pytest.raises(OtherOrganization, match="documents of organization org-2 are in documents/org-2/"):
        process(theirs, world.job("x", "org-2"))
    assert process(theirs, world.job("y", "org-1"))["words"] == 2


class OnePage:
    """The HTTP a scrape sees: one page, whatever it asks for."""

    def __init__(self, html: str) -> None:
        self.html = html

    def checked(self, method: str, url: str, **kwargs: Any) -> HttpResponse:
        return HttpResponse(200, {"content-type": "text/html; charset=utf-8"}, self.html.encode())


def test_a_page_of_any_script_is_stored_cut_to_fit_an_item(world: World) -> None:
    page = "<html><head><title>" + "題" * 5_000 + "</title></head><body><p>" + "漢字" * 100_000 + "</p></body></html>"
    scrape = ScrapeWebsite(OnePage(page), world.sources, ContextItemStore(world.data))  # type: ignore[arg-type]
    payload = ScrapeWebsitePayload(source_id="cjk", url="http://site/", max_chars=200_000)  # 600 KB of UTF-8

    result = scrape(payload, world.job("j"))

    [item] = ContextItemStore(world.data).items("cjk")
    assert len(item["text"].encode()) <= MAX_TEXT_BYTES < len(("漢字" * 100_000).encode())
    assert item["text"] == "漢字" * 50_000  # whole characters: 300,000 bytes of 3-byte characters
    assert (result["chars"], result["truncated"]) == (100_000, True)
    assert world.sources.get("cjk").consecutive_failures == 0


def test_an_item_over_400_kb_is_a_permanent_failure_that_is_not_the_sources(world: World) -> None:
    world.sources.register("s", "org-1", "website", "http://s/")
    with pytest.raises(ItemTooLarge) as refused, tracked(world.sources, "s"):
        world.data.put({"pk": "X", "sk": "big", "text": "x" * 500_000})
    assert isinstance(refused.value, PermanentError)  # failed once, never retried
    assert world.sources.get("s").consecutive_failures == 0
