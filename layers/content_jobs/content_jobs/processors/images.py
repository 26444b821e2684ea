"""GENERATE_IMAGE: render an image for a prompt and store the PNG in the documents bucket."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from content_jobs.payloads import GenerateImagePayload
from content_jobs.providers.images import ImageGenerator
from conveyor.jobs.context import JobContext


@dataclass(frozen=True)
class GenerateImage:
    images: ImageGenerator
    s3: Any
    bucket: str

    def __call__(self, payload: GenerateImagePayload, job: JobContext) -> dict[str, Any]:
        png = self.images.generate(payload.prompt, payload.width, payload.height)
        job.checkpoint()
        key = f"images/{job.organization_id}/{job.job_id}.png"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=png, ContentType="image/png")
        return {
            "bucket": self.bucket,
            "key": key,
            "width": payload.width,
            "height": payload.height,
            "bytes": len(png),
            "sha256": hashlib.sha256(png).hexdigest(),
        }
