"""One pydantic model per job type: checked when a job is created and again by the worker."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from conveyor.jobs.catalog import JobType
from conveyor.jobs.errors import InvalidPayload
from conveyor.validation import describe

Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]


class Platform(StrEnum):
    LINKEDIN = "linkedin"
    TWITTER = "twitter"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class GenerateContentPayload(_Payload):
    topic: Annotated[str, Field(min_length=3, max_length=500)]
    platforms: Annotated[list[Platform], Field(min_length=1, max_length=4)]
    tone: Annotated[str, Field(min_length=1, max_length=40)] = "professional"
    keywords: Annotated[list[Annotated[str, Field(min_length=1, max_length=40)]], Field(max_length=10)] = []


class ScrapeWebsitePayload(_Payload):
    source_id: Annotated[Identifier, Field(alias="sourceId")]
    url: AnyHttpUrl
    max_chars: Annotated[int, Field(alias="maxChars", ge=100, le=200_000)] = 20_000


class SyncRssPayload(_Payload):
    source_id: Annotated[Identifier, Field(alias="sourceId")]
    feed_url: Annotated[AnyHttpUrl, Field(alias="feedUrl")]


class SyncAnalyticsPayload(_Payload):
    account_id: Annotated[Identifier, Field(alias="accountId")]


class RefreshTokenPayload(_Payload):
    account_id: Annotated[Identifier, Field(alias="accountId")]


class ProcessDocumentPayload(_Payload):
    document_id: Annotated[Identifier, Field(alias="documentId")]
    # The object in the documents bucket (JOB_DOCUMENTS_BUCKET).
    key: Annotated[str, Field(min_length=1, max_length=1024)]


class PublishContentPayload(_Payload):
    content_id: Annotated[Identifier, Field(alias="contentId")]
    account_id: Annotated[Identifier, Field(alias="accountId")]
    platform: Platform


class GenerateImagePayload(_Payload):
    prompt: Annotated[str, Field(min_length=3, max_length=1000)]
    width: Annotated[int, Field(ge=16, le=2048)] = 512
    height: Annotated[int, Field(ge=16, le=2048)] = 512


class NoopPayload(_Payload):
    echo: Annotated[str, Field(max_length=1000)] = ""


PAYLOAD_MODELS: dict[JobType, type[_Payload]] = {
    JobType.GENERATE_CONTENT: GenerateContentPayload,
    JobType.SCRAPE_WEBSITE: ScrapeWebsitePayload,
    JobType.SYNC_RSS: SyncRssPayload,
    JobType.SYNC_ANALYTICS: SyncAnalyticsPayload,
    JobType.REFRESH_TOKEN: RefreshTokenPayload,
    JobType.PROCESS_DOCUMENT: ProcessDocumentPayload,
    JobType.PUBLISH_CONTENT: PublishContentPayload,
    JobType.GENERATE_IMAGE: GenerateImagePayload,
    JobType.NOOP: NoopPayload,
}
_ADAPTERS = {job_type: TypeAdapter(model) for job_type, model in PAYLOAD_MODELS.items()}


def parse_payload(job_type: JobType, payload: Any) -> _Payload:
    """The typed payload, or InvalidPayload naming the fields that are wrong."""
    try:
        return _ADAPTERS[job_type].validate_python(payload)
    except ValidationError as error:
        raise InvalidPayload(describe(error)) from error


def payload_json(payload: _Payload) -> dict[str, Any]:
    return payload.model_dump(mode="json", by_alias=True)
