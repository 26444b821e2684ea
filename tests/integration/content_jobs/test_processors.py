"""Each processor on the local cloud, against local websites, feeds, a platform API
and the stack's S3 bucket; the unhealthy-source rule; 429 and expired tokens."""

from __future__ import annotations

import struct

from content_jobs.data.accounts import AccountStore
from content_jobs.data.sources import UNHEALTHY_AFTER_FAILURES, SourceStore

from .client import ContentJobs, unique
from .local_http import Reply, html, local_http

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
    with local_http() as platform:
        account = jobs.connect_account(platform.url, unique("org"))
        path = f"/v1/accounts/{account}/posts"
        platform.on("GET", path, Reply(429, {"error": "slow down"}, {"Retry-After": "3"}), Reply(200, POSTS))
        done = jobs.wait(jobs.create("SYNC_ANALYTICS", {"accountId": account}))

    assert (done["status"], done["attempts"]) == ("COMPLETED", 2)
    assert done["history"][0]["error"]["type"] == "RateLimited"
    assert done["history"][0]["retryInSeconds"] == 3  # the server's Retry-After, not the 1 s backoff


def test_an_expired_token_marks_the_account_and_is_not_retried(jobs: ContentJobs) -> None:
    with local_http() as platform:
        account = jobs.connect_account(platform.url, unique("org"))
        path = f"/v1/accounts/{account}/posts"
        platform.on("GET", path, Reply(401, {"error": "token_expired"}))
        failed = jobs.wait(jobs.create("SYNC_ANALYTICS", {"accountId": account}))
        assert len(platform.hits("GET", path)) == 1

    assert (failed["status"], failed["attempts"], failed["error"]["type"]) == ("FAILED", 1, "NeedsReauthorization")
    assert AccountStore(jobs.data).get(account).needs_reauth
    report = jobs.invoke("SchedulerFunctionName", {"schedule": "analytics", "scheduledTime": "2026-01-01T07:00:00Z"})
    assert not [job_id for job_id in report["created"] if account in job_id]  # not scheduled until reconnected


def test_refresh_token_stores_the_new_token(jobs: ContentJobs) -> None:
    with local_http() as platform:
        account = jobs.connect_account(platform.url, unique("org"))
        platform.on("POST", "/oauth/token", Reply(200, {"access_token": "access-2", "expires_in": 3600}))
        done = jobs.wait(jobs.create("REFRESH_TOKEN", {"accountId": account}))
        assert platform.hits("POST", "/oauth/token")[0].json()["refresh_token"] == "refresh-1"

    assert done["status"] == "COMPLETED"
    assert AccountStore(jobs.data).get(account).access_token == "access-2"


def test_process_document_reads_text_from_s3(jobs: ContentJobs) -> None:
    org, key = unique("org"), f"docs/{unique('brief')}.html"
    jobs.cloud.client("s3").put_object(
        Bucket=jobs.outputs["JobDocumentsBucketName"], Key=key, Body=ARTICLE.encode(), ContentType="text/html"
    )
    done = jobs.wait(jobs.create("PROCESS_DOCUMENT", {"documentId": "brief", "key": key}, org))
    missing = jobs.wait(jobs.create("PROCESS_DOCUMENT", {"documentId": "nope", "key": "docs/none.txt"}, org))

    assert (done["status"], done["result"]["words"]) == ("COMPLETED", 5)
    assert jobs.data.get(f"ORG#{org}", "DOCUMENT#brief")["text"] == "We launched\nQueues with retries."
    assert (missing["status"], missing["attempts"], missing["error"]["type"]) == ("FAILED", 1, "PermanentError")


def test_publish_content_posts_the_variation_once(jobs: ContentJobs) -> None:
    org = unique("org")
    content = jobs.wait(jobs.create("GENERATE_CONTENT", {"topic": "release day", "platforms": ["linkedin"]}, org))
    with local_http() as platform:
        account = jobs.connect_account(platform.url, org)
        platform.on("POST", f"/v1/accounts/{account}/posts", Reply(201, {"id": "post-9", "url": "https://p/9"}))
        payload = {"contentId": content["id"], "accountId": account, "platform": "linkedin"}
        first = jobs.wait(jobs.create("PUBLISH_CONTENT", payload, org))
        again = jobs.wait(jobs.create("PUBLISH_CONTENT", payload, org))
        [post] = platform.hits("POST", f"/v1/accounts/{account}/posts")

    assert post.json()["text"] == content["result"]["variations"]["linkedin"]["text"]
    assert (first["result"]["postId"], first["result"]["alreadyPublished"]) == ("post-9", False)
    assert again["result"]["alreadyPublished"] is True


def test_generate_image_stores_a_png(jobs: ContentJobs) -> None:
    done = jobs.wait(jobs.create("GENERATE_IMAGE", {"prompt": "a calm queue", "width": 64, "height": 32}))
    result = done["result"]
    png = jobs.cloud.client("s3").get_object(Bucket=result["bucket"], Key=result["key"])["Body"].read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (64, 32)
    assert len(png) == result["bytes"]
