"""PROCESS_DOCUMENT: read a document from S3 and keep its text (plain, Markdown or HTML)."""

from __future__ import annotations

import re
from typing import Any

from conveyor.jobs.context import JobContext
from conveyor.jobs.errors import PermanentJobError
from conveyor.jobs.payloads import ProcessDocumentPayload
from conveyor.jobs.providers.readable import readable_text
from conveyor.jobs.services import Services

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
_TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".csv")
_HTML_SUFFIXES = (".html", ".htm")


def process_document(payload: ProcessDocumentPayload, job: JobContext, services: Services) -> dict[str, Any]:
    bucket = services.settings.documents_bucket
    s3 = services.s3
    try:
        obj = s3.get_object(Bucket=bucket, Key=payload.key)
    except s3.exceptions.NoSuchKey:
        raise PermanentJobError(f"no document s3://{bucket}/{payload.key}") from None
    if obj["ContentLength"] > MAX_DOCUMENT_BYTES:
        raise PermanentJobError(f"{payload.key} is {obj['ContentLength']} bytes; the limit is {MAX_DOCUMENT_BYTES}")
    text = _text_of(payload.key, obj.get("ContentType", ""), obj["Body"].read())
    job.checkpoint()
    words = len(re.findall(r"\w+", text))
    services.content.save_document(
        job.organization_id, payload.document_id, {"key": payload.key, "text": text, "words": words}
    )
    return {"documentId": payload.document_id, "chars": len(text), "words": words}


def _text_of(key: str, content_type: str, body: bytes) -> str:
    lowered = key.lower()
    if "html" in content_type or lowered.endswith(_HTML_SUFFIXES):
        return readable_text(body).text
    if content_type.startswith("text/") or lowered.endswith(_TEXT_SUFFIXES):
        try:
            return body.decode("utf-8").strip()
        except UnicodeDecodeError as error:
            raise PermanentJobError(f"{key} is not UTF-8 text: {error}") from None
    raise PermanentJobError(f"{key}: unsupported document type {content_type or 'unknown'}")
