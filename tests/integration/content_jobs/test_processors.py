"""Each processor on the local cloud, against local websites, feeds, a platform API
and the stack's S3 bucket; the unhealthy-source rule; 429 and expired tokens; what a job
may reach (its organization's accounts, public addresses); publishing once; sizes."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from content_jobs.data.accounts import AccountStore
from content_jobs.data.sources import UNHEALTHY_AFTER_FAILURES, SourceStore

from .client import ContentJobs, unique
from .local_http import Reply, html, local_http
from .local_platform import LocalPlatform

ARTICLE = """<html><head><title>Launch notes</title><script>var tracking = 1;</script></head>
<body><nav>Home | Blog | Pricing</nav><article><h1>We launched</h1><p>Queues with retries.</p></article>
<footer>© Example</footer></body></html>"""
RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>
{items}</channel></rss>"""
RSS_ITEM = (
    "<item><guid>{id}</guid><title>Post {id}</title><link>http://x/{id}</link>"
    "<description>Text {id}</description></item>"
)
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>
<id>urn:news</id><updated>2026-01-01T00:00:00Z</updated>
<entry><id>urn:1</id><title>First</title><updated>2026-01-01T00:00:00Z</updated><summary>One</summary></entry>
</feed>"""
POSTS = {
    "posts": [
        {
            "id": "p1",
            "publishedAt": "2026-11-01T09:00:00Z",
            "impressions": 1000,
            "likes": 40,
            "comments": 5,
            "shares": 3,
            "clicks": 12,
        },
        {
            "id": "p2",
            "publishedAt": "2026-11-02T17:00:00Z",
            "impressions": 500,
            "likes": 50,
            "comments": 10,
            "shares": 5,
            "clicks": 20,
        },
    ]
}


def test_scrape_website_stores_the_readable_text_once(jobs: ContentJobs) -> None:
    source = unique("site")
    with local_http() as site:
        site.on("GET", "/launch", html(ARTICLE))
        first = jobs.wait(jobs.create("SCRAPE_WEBSITE", {"sourceId": source, "url": f"{site.url}/launch"}))
        again = jobs.wait(jobs.create("SCRAPE_WEBSITE", {"sourceId": source, "url": f"{site.url}/launch"}))

    assert (first["status"], first["result"]["title"], first["result"]["new"]) == ("COMPLETED", "Launch notes", True)
    assert again["result"]["new"] is False  # the same text is stored once
    [item] = jobs.data.query(f"SOURCE#{source}", "ITEM#")
    assert item["text"] == "We launched\nQueues with retries."  # no nav, script or footer
    assert SourceStore(jobs.data).get(source).healthy


def test_sync_rss_stores_only_new_entries_and_reads_atom(jobs: ContentJobs) -> None:
    source, atom_source = unique("feed"), unique("atom")
    with local_http() as site:
        site.on(
            "GET",
            "/rss",
            Reply(
                200,
                RSS.format(items=RSS_ITEM.format(id=1) + RSS_ITEM.format(id=2)),
                {"Content-Type": "application/rss+xml"},
            ),
        )
        first = jobs.wait(jobs.create("SYNC_RSS", {"sourceId": source, "feedUrl": f"{site.url}/rss"}))
        site.on("GET", "/rss", Reply(200, RSS.format(items="".join(RSS_ITEM.format(id=i) for i in (1, 2, 3)))))
        second = jobs.wait(jobs.create("SYNC_RSS", {"sourceId": source, "feedUrl": f"{site.url}/rss"}))
        site.on("GET", "/atom", Reply(200, ATOM, {"Content-Type": "application/atom+xml"}))
        atom = jobs.wait(jobs.create("SYNC_RSS", {"sourceId": atom_source, "feedUrl": f"{site.url}/atom"}))

    assert (first["result"]["entries"], first["result"]["new"]) == (2, 2)
    assert (second["result"]["entries"], second["result"]["new"]) == (3, 1)
    assert sorted(i["title"] for i in jobs.data.query(f"SOURCE#{source}", "ITEM#")) == ["Post 1", "Post 2", "Post 3"]
    assert (atom["result"]["format"], atom["result"]["new"]) == ("atom10", 1)


def test_a_source_failing_five_times_in_a_row_is_unhealthy_and_no_longer_scheduled(jobs: ContentJobs) -> None:
    broken, fine = unique("broken"), unique("fine")
    org = unique("org")
    with local_http() as site:
        site.on("GET", "/gone", Reply(404, "gone"))  # permanent: one attempt per job
        site.on("GET", "/ok", html(ARTICLE))
        jobs.wait(jobs.create("SCRAPE_WEBSITE", {"sourceId": fine, "url": f"{site.url}/ok"}, org))
        for round_ in range(UNHEALTHY_AFTER_FAILURES):
            failed = jobs.wait(jobs.create("SCRAPE_WEBSITE", {"sourceId": broken, "url": f"{site.url}/gone"}, org))
            assert (failed["status"], failed["attempts"]) == ("FAILED", 1)
            assert SourceStore(jobs.data).get(broken).healthy == (round_ < UNHEALTHY_AFTER_FAILURES - 1)

        report = jobs.invoke(
            "SchedulerFunctionName", {"schedule": "context-scraping", "scheduledTime": "2026-01-01T06:00:00Z"}
        )

    scheduled = report["created"] + report["duplicates"] + report["skippedActive"]
    assert f"SCRAPE_WEBSITE-{fine}-20260101T060000Z" in scheduled
    assert not [job_id for job_id in scheduled if broken in job_id]


def test_generate_content_makes_one_variation_per_platform(jobs: ContentJobs) -> None:
    payload = {"topic": "serverless background jobs", "platforms": ["twitter", "linkedin"], "keywords": ["AWS"]}
    done = jobs.wait(jobs.create("GENERATE_CONTENT", payload))

    variations = done["result"]["variations"]
    assert set(variations) == {"twitter", "linkedin"}
    assert variations["twitter"]["chars"] <= 280 and variations["twitter"]["hashtags"][0] == "#Aws"
    assert "serverless background jobs" in variations["linkedin"]["text"]
    stored = jobs.data.get(f"ORG#{done['organizationId']}", f"CONTENT#{done['id']}")
    assert stored["variations"] == variations


def test_sync_analytics_aggregates_metrics_into_a_learning_record(jobs: ContentJobs) -> None:
    org = unique("org")
    with local_http() as platform:
        account = jobs.connect_account(platform.url, org)
        platform.on("GET", f"/v1/accounts/{account}/posts", Reply(200, POSTS))
        done = jobs.wait(jobs.create("SYNC_ANALYTICS", {"accountId": account}, org))

    learning = done["result"]["learning"]
    assert learning["totals"]["impressions"] == 1500
    assert learning["engagementRate"] == round((40 + 5 + 3 + 12 + 50 + 10 + 5 + 20) / 1500, 4)
    assert (learning["bestPostId"], learning["bestHourUtc"]) == ("p2", 17)
    [stored] = jobs.data.query(f"ORG#{org}", "LEARNING#")
    assert stored["posts"] == 2
    assert platform.hits("GET", f"/v1/accounts/{account}/posts")[0].headers["Authorization"] == "Bearer access-1"


def test_a_429_is_retried_after_its_retry_after(jobs: ContentJobs) -> None:
    org = unique("org")
    with local_http() as platform:
        account = jobs.connect_account(platform.url, org)
        path = f"/v1/accounts/{account}/posts"
        platform.on("GET", path, Reply(429, {"error": "slow down"}, {"Retry-After": "3"}), Reply(200, POSTS))
        done = jobs.wait(jobs.create("SYNC_ANALYTICS", {"accountId": account}, org))

    assert (done["status"], done["attempts"]) == ("COMPLETED", 2)
    assert done["history"][0]["error"]["type"] == "RateLimited"
    assert done["history"][0]["retryInSeconds"] == 3  # the server's Retry-After, not the 1 s backoff


def test_an_expired_token_marks_the_account_and_is_not_retried(jobs: ContentJobs) -> None:
    org = unique("org")
    with local_http() as platform:
        account = jobs.connect_account(platform.url, org)
        path = f"/v1/accounts/{account}/posts"
        platform.on("GET", path, Reply(401, {"error": "token_expired"}))
        failed = jobs.wait(jobs.create("SYNC_ANALYTICS", {"accountId": account}, org))
        assert len(platform.hits("GET", path)) == 1

    assert (failed["status"], failed["attempts"], failed["error"]["type"]) == ("FAILED", 1, "NeedsReauthorization")
    assert AccountStore(jobs.data).get(account).needs_reauth
    report = jobs.invoke("SchedulerFunctionName", {"schedule": "analytics", "scheduledTime": "2026-01-01T07:00:00Z"})
    assert not [job_id for job_id in report["created"] if account in job_id]  # not scheduled until reconnected


def test_refresh_token_stores_the_new_token(jobs: ContentJobs) -> None:
    org = unique("org")
    with local_http() as platform:
        account = jobs.connect_account(platform.url, org)
        platform.on("POST", "/oauth/token", Reply(200, {"access_token": "access-2", "expires_in": 3600}))
        done = jobs.wait(jobs.create("REFRESH_TOKEN", {"accountId": account}, org))
        assert platform.hits("POST", "/oauth/token")[0].json()["refresh_token"] == "refresh-1"

    assert done["status"] == "COMPLETED"
    assert AccountStore(jobs.data).get(account).access_token == "access-2"


def test_process_document_reads_text_from_s3(jobs: ContentJobs) -> None:
    org = unique("org")
    key = f"documents/{org}/{unique('brief')}.html"  # an organization's documents are in documents/<org>/
    jobs.cloud.client("s3").put_object(
        Bucket=jobs.outputs["JobDocumentsBucketName"], Key=key, Body=ARTICLE.encode(), ContentType="text/html"
    )
    done = jobs.wait(jobs.create("PROCESS_DOCUMENT", {"documentId": "brief", "key": key}, org))
    missing = jobs.wait(
        jobs.create("PROCESS_DOCUMENT", {"documentId": "nope", "key": f"documents/{org}/none.txt"}, org)
    )
    theirs = jobs.wait(jobs.create("PROCESS_DOCUMENT", {"documentId": "theirs", "key": key}, unique("other-org")))

    assert (done["status"], done["result"]["words"]) == ("COMPLETED", 5)
    assert jobs.data.get(f"ORG#{org}", "DOCUMENT#brief")["text"] == "We launched\nQueues with retries."
    assert (missing["status"], missing["attempts"], missing["error"]["type"]) == ("FAILED", 1, "PermanentError")
    assert (theirs["status"], theirs["attempts"], theirs["error"]["type"]) == ("FAILED", 1, "OtherOrganization")


@dataclass
class Publishing:
    """A content item of a fresh organization, an account of it on a local platform, and
    the payload that publishes one to the other."""

    org: str
    content: dict[str, Any]
    platform: LocalPlatform
    payload: dict[str, Any]


@contextmanager
def publishing(jobs: ContentJobs, topic: str, delay: float = 0.0) -> Iterator[Publishing]:
    org = unique("org")
    content = jobs.wait(jobs.create("GENERATE_CONTENT", {"topic": topic, "platforms": ["linkedin"]}, org))
    with local_http() as http:
        account = jobs.connect_account(http.url, org)
        payload = {"contentId": content["id"], "accountId": account, "platform": "linkedin"}
        yield Publishing(org, content, LocalPlatform(http, account, delay), payload)


def test_publish_content_posts_the_variation_once(jobs: ContentJobs) -> None:
    with publishing(jobs, "release day") as item:
        first = jobs.wait(jobs.create("PUBLISH_CONTENT", item.payload, item.org))
        again = jobs.wait(jobs.create("PUBLISH_CONTENT", item.payload, item.org))
        [post] = item.platform.calls

    assert post.json()["text"] == item.content["result"]["variations"]["linkedin"]["text"]
    assert post.headers["Idempotency-Key"].startswith("conveyor-publish-")
    assert (first["result"]["postId"], first["result"]["alreadyPublished"]) == ("post-1", False)
    assert again["result"]["alreadyPublished"] is True


def test_concurrent_publish_jobs_for_one_content_item_post_once(jobs: ContentJobs) -> None:
    with publishing(jobs, "launch week", delay=1) as item:  # a slow platform: the four jobs overlap
        ids = [jobs.create("PUBLISH_CONTENT", item.payload, item.org) for _ in range(4)]
        done = [jobs.wait(job_id, timeout=90) for job_id in ids]

    assert len(item.platform.posts) == 1 and len(item.platform.calls) == 1
    assert {job["status"] for job in done} == {"COMPLETED"}
    assert {job["result"]["postId"] for job in done} == {"post-1"}
    assert sorted(job["result"]["alreadyPublished"] for job in done) == [False, True, True, True]
    assert {job["attempts"] for job in done} == {1}  # waiting for another job's claim spends no attempt


def test_a_platform_that_stored_the_post_and_answered_503_is_not_posted_to_twice(jobs: ContentJobs) -> None:
    with publishing(jobs, "a quiet release") as item:
        item.platform.fail_after_storing = 1
        done = jobs.wait(jobs.create("PUBLISH_CONTENT", item.payload, item.org))
        first, retried = item.platform.calls

    assert (done["status"], done["attempts"], done["result"]["postId"]) == ("COMPLETED", 2, "post-1")
    assert len(item.platform.posts) == 1  # the retry carried the same key: the platform answered with the same post
    assert first.headers["Idempotency-Key"] == retried.headers["Idempotency-Key"]


def test_a_job_cannot_use_another_organizations_account(jobs: ContentJobs) -> None:
    owner, intruder = unique("owner"), unique("intruder")
    content = jobs.wait(jobs.create("GENERATE_CONTENT", {"topic": "not yours", "platforms": ["linkedin"]}, intruder))
    with local_http() as http:
        account = jobs.connect_account(http.url, owner)
        http.on("GET", f"/v1/accounts/{account}/posts", Reply(200, POSTS))
        http.on("POST", "/oauth/token", Reply(200, {"access_token": "stolen"}))
        publish = {"contentId": content["id"], "accountId": account, "platform": "linkedin"}
        failed = [
            jobs.wait(jobs.create(job_type, payload, intruder))
            for job_type, payload in (
                ("PUBLISH_CONTENT", publish),
                ("SYNC_ANALYTICS", {"accountId": account}),
                ("REFRESH_TOKEN", {"accountId": account}),
            )
        ]
        assert http.requests == []  # the platform was never called with the owner's token

    assert {(job["status"], job["attempts"], job["error"]["type"]) for job in failed} == {
        ("FAILED", 1, "OtherOrganization")
    }
    assert AccountStore(jobs.data).get(account).access_token == "access-1"


def test_website_and_feed_jobs_refuse_loopback_link_local_and_private_addresses(jobs: ContentJobs) -> None:
    with local_http() as site:  # on 127.0.0.1: the test stack allows 127.0.0.1/32 (JobFetchAllowedNetworks)
        site.on("GET", "/metadata", Reply(302, "", {"Location": "http://169.254.169.254/latest/meta-data/"}))
        port = site.url.rsplit(":", 1)[1]
        refused = [
            jobs.wait(jobs.create("SCRAPE_WEBSITE", {"sourceId": unique("src"), "url": url}))
            for url in (f"http://127.0.0.2:{port}/page", f"{site.url}/metadata", "http://10.0.0.1/")
        ]
        refused.append(jobs.wait(jobs.create("SYNC_RSS", {"sourceId": unique("src"), "feedUrl": "http://[::1]/feed"})))

    for job in refused:
        assert (job["status"], job["attempts"], job["error"]["type"]) == ("FAILED", 1, "AddressNotAllowed"), job
    assert "169.254.169.254 is not a public address" in refused[1]["error"]["message"]


def test_a_page_too_large_for_an_item_is_stored_cut_to_fit(jobs: ContentJobs) -> None:
    source = unique("cjk")
    with local_http() as site:
        site.on("GET", "/long", html(f"<html><body><article><p>{'漢字' * 100_000}</p></article></body></html>"))
        done = jobs.wait(
            jobs.create("SCRAPE_WEBSITE", {"sourceId": source, "url": f"{site.url}/long", "maxChars": 200_000})
        )

    assert (done["status"], done["attempts"], done["result"]["truncated"]) == ("COMPLETED", 1, True)
    [item] = jobs.data.query(f"SOURCE#{source}", "ITEM#")
    assert len(item["text"].encode()) == 300_000  # 100,000 whole 3-byte characters
    assert SourceStore(jobs.data).get(source).consecutive_failures == 0


def test_generate_image_stores_a_png(jobs: ContentJobs) -> None:
    done = jobs.wait(jobs.create("GENERATE_IMAGE", {"prompt": "a calm queue", "width": 64, "height": 32}))
    result = done["result"]
    png = jobs.cloud.client("s3").get_object(Bucket=result["bucket"], Key=result["key"])["Body"].read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (64, 32)
    assert len(png) == result["bytes"]
