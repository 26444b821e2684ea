"""GENERATE_IMAGE: render an image for a prompt and store the PNG in the documents bucket."""

from __future__ import annotations

import hashlib
from typing import Any

from conveyor.jobs.context import JobContext
from conveyor.jobs.payloads import GenerateImagePayload
from conveyor.jobs.services import Services


def generate_image(payload: GenerateImagePayload, job: JobContext, services: Services) -> dict[str, Any]:
    png = services.images.generate(payload.prompt, payload.width, payload.height)
    job.checkpoint()
    key = f"images/{job.organization_id}/{job.job_id}.png"
    services.s3.put_object(Bucket=services.settings.documents_bucket, Key=key, Body=png, ContentType="image/png")
    return {
        "bucket": services.settings.documents_bucket,
        "key": key,
        "width": payload.width,
        "height": payload.height,
        "bytes": len(png),
        "sha256": hashlib.sha256(png).hexdigest(),
    }
