"""The job API's request and response models."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from conveyor.jobs.catalog import JobType
from conveyor.jobs.payloads import PAYLOAD_MODELS, Identifier


def _payload_fields() -> str:
    lines = []
    for job_type, model in PAYLOAD_MODELS.items():
        fields = ", ".join(
            (field.alias or name) + ("" if field.is_required() else "?") for name, field in model.model_fields.items()
        )
        lines.append(f"{job_type.value}: {{{fields}}}")
    return "The payload of the job's type:\n" + "\n".join(lines)


class JobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: JobType
    organization_id: Annotated[Identifier, Field(alias="organizationId")]
    payload: Annotated[dict[str, Any], Field(description=_payload_fields())]
    job_id: Annotated[
        Identifier | None, Field(alias="jobId", description="your id for the job; the same id twice queues it once")
    ] = None
    delay_seconds: Annotated[
        int, Field(alias="delaySeconds", ge=0, le=900, description="wait before the first attempt")
    ] = 0


class JobAccepted(BaseModel):
    id: str
    type: JobType
    queue: str
    status: str
    duplicate: bool = Field(description="a job with this id existed already; nothing new was queued")


class JobView(BaseModel):
    id: str
    type: str
    queue: str
    organizationId: str  # noqa: N815 - the API's field names are camelCase
    status: str
    payload: Any
    result: Any = None
    error: dict[str, str] | None = None
    attempts: int
    createdAt: str  # noqa: N815
    startedAt: str | None = None  # noqa: N815
    finishedAt: str | None = None  # noqa: N815
    scheduleId: str | None = None  # noqa: N815
    history: list[dict[str, Any]] = []


class JobPage(BaseModel):
    jobs: list[JobView]
    nextCursor: str | None = Field(None, description="pass as `cursor` for the next page")  # noqa: N815
