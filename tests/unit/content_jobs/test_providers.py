"""The local providers and pure helpers the processors build on."""

from __future__ import annotations

import struct
import zlib

from content_jobs.data.accounts import Account
from content_jobs.payloads import Platform
from content_jobs.processors.analytics import learning_record
from content_jobs.providers.content_factory import CHARACTER_LIMITS, TemplateContentFactory
from content_jobs.providers.images import PatternImageGenerator
from content_jobs.providers.readable import readable_text

PAGE = """<html><head><title>Plain title</title><meta property="og:title" content="Shared title">
<style>p {color: red}</style></head><body><header>Logo</header><nav>Menu</nav>
<main><h1>Heading</h1><p>First   paragraph.</p><script>alert(1)</script><p>Second.</p></main>
<aside>Related</aside><footer>Footer</footer></body></html>"""


def test_readable_text_keeps_the_main_content_only() -> None:
    page = readable_text(PAGE)
    assert page.title == "Shared title"
    assert page.text == "Heading\nFirst paragraph.\nSecond."


def test_readable_text_without_main_markup_uses_the_body() -> None:
    assert readable_text("<html><body><div>Just <b>this</b></div></body></html>").text == "Just\nthis"


def test_content_factory_is_deterministic_and_respects_platform_limits() -> None:
    factory = TemplateContentFactory()
    long_topic = "an extremely long topic " * 30
    for platform in Platform:
        first = factory.generate("edge caching", platform, "friendly", ["CDN"])
        assert first == factory.generate("edge caching", platform, "friendly", ["CDN"])
        assert len(factory.generate(long_topic, platform, "plain", []).text) <= CHARACTER_LIMITS[platform]
    twitter = factory.generate("edge caching", Platform.TWITTER, "friendly", ["CDN"])
    linkedin = factory.generate("edge caching", Platform.LINKEDIN, "friendly", ["CDN"])
    assert twitter.text != linkedin.text and twitter.hashtags == ["#Cdn", "#Edge"]


def test_pattern_images_are_valid_pngs_of_the_asked_size() -> None:
    png = PatternImageGenerator().generate("a lighthouse", 20, 10)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (20, 10)
    idat_length = struct.unpack(">I", png[33:37])[0]
    raw = zlib.decompress(png[41 : 41 + idat_length])
    assert len(raw) == 10 * (1 + 20 * 3)
    assert png == PatternImageGenerator().generate("a lighthouse", 20, 10)
    assert png != PatternImageGenerator().generate("a harbour", 20, 10)


def test_learning_record_aggregates_engagement() -> None:
    account = Account(
        id="a",
        organization_id="o",
        platform="linkedin",
        api_url="http://x",
        access_token="t",
        refresh_token="r",
        token_expires_at="2099-01-01T00:00:00Z",
    )
    posts = [
        {
            "postId": "p1",
            "publishedAt": "2026-01-01T08:00:00Z",
            "impressions": 100,
            "likes": 10,
            "comments": 0,
            "shares": 0,
            "clicks": 0,
        },
        {
            "postId": "p2",
            "publishedAt": "2026-01-02T20:00:00Z",
            "impressions": 100,
            "likes": 20,
            "comments": 5,
            "shares": 0,
            "clicks": 5,
        },
        {"postId": "p3", "publishedAt": None, "impressions": 0, "likes": 0, "comments": 0, "shares": 0, "clicks": 0},
    ]
    record = learning_record(account, posts)
    assert record["totals"] == {"impressions": 200, "likes": 30, "comments": 5, "shares": 0, "clicks": 5}
    assert record["engagementRate"] == 0.2
    assert (record["bestPostId"], record["bestHourUtc"], record["posts"]) == ("p2", 20, 3)
    assert learning_record(account, [])["bestPostId"] is None
