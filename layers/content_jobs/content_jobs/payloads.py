"""One pydantic model per job type: checked when a job is created and again by the worker."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AnyHttpUrl, Field, UrlConstraints

from conveyor.core.ids import Identifier
from conveyor.jobs.registry import JobPayload

# A link a job fetches: http(s), at most 2,048 characters (what browsers and most servers take).
Link = Annotated[AnyHttpUrl, UrlConstraints(max_length=2048)]


class Platform(StrEnum):
    LINKEDIN = "linkedin"
    TWITTER = "twitter"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"


class GenerateContentPayload(JobPayload):
    topic: Annotated[str, Field(min_length=3, max_length=500)]
    platforms: Annotated[list[Platform], Field(min_length=1, max_length=4)]
    tone: Annotated[str, Field(min_length=1, max_length=40)] = "professional"
    keywords: Annotated[list[Annotated[str, Field(min_length=1, max_length=40)]], Field(max_length=10)] = []


class ScrapeWebsitePayload(JobPayload):
    source_id: Identifier
    url: Link
    max_chars: Annotated[int, Field(ge=100, le=200_000)] = 20_000


class SyncRssPayload(JobPayload):
    source_id: Identifier
    feed_url: Link


class SyncAnalyticsPayload(JobPayload):
    account_id: Identifier


class RefreshTokenPayload(JobPayload):
    account_id: Identifier


class ProcessDocumentPayload(JobPayload):
    document_id: Identifier
    key: Annotated[
        str,
        Field(min_length=1, max_length=1024, description="the object in the documents bucket, under documents/<org>/"),
    ]


class PublishContentPayload(JobPayload):
    content_id: Identifier
    account_id: Identifier
    platform: Platform


class GenerateImagePayload(JobPayload):
    prompt: Annotated[str, Field(min_length=3, max_length=1000)]
    width: Annotated[int, Field(ge=16, le=2048)] = 512
    height: Annotated[int, Field(ge=16, le=2048)] = 512


class NoopPayload(JobPayload):
    echo: Annotated[str, Field(max_length=1000)] = ""
