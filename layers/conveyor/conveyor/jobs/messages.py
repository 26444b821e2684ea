"""What travels on a job queue: which job, and which delivery of it.

The job record is the truth; the message only says "run job X, delivery N". A retry
or a stalled-job recovery bumps the job's delivery and sends a new message, so any
older copy still in flight is recognised and dropped.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from conveyor.core.models import ApiModel
from conveyor.jobs.records import Job


class JobMessage(ApiModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    job_id: Annotated[str, Field(min_length=1, max_length=200)]
    type: str
    delivery: Annotated[int, Field(ge=1)]

    @classmethod
    def of(cls, job: Job) -> JobMessage:
        return cls(job_id=job.id, type=job.type, delivery=job.delivery)

    def body(self) -> str:
        return self.model_dump_json()
