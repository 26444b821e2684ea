"""PROCESS_DOCUMENT: read a document from the documents bucket and keep its text (plain, Markdown or HTML).

An organization's documents are under `documents/<organization id>/` (as its generated
images are under `images/<organization id>/`): a job reads no other organization's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from content_jobs.data.content import ContentStore
from content_jobs.data.table import MAX_TEXT_BYTES, utf8_prefix
from content_jobs.errors import OtherOrganization
from content_jobs.payloads import ProcessDocumentPayload
from content_jobs.providers.readable import readable_text
from conveyor.core.errors import PermanentError
from conveyor.jobs.context import JobContext

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
_TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".csv")
_HTML_SUFFIXES = (".html", ".htm")


@dataclass(frozen=True)
class ProcessDocument:
    s3: Any
    bucket: str
    content: ContentStore

    def __call__(self, payload: ProcessDocumentPayload, job: JobContext) -> dict[str, Any]:
        folder = documents_folder(job.organization_id)
        if not payload.key.startswith(folder):
            raise OtherOrganization(f"{payload.key}: documents of organization {job.organization_id} are in {folder}")
        try:
            obj = self.s3.get_object(Bucket=self.bucket, Key=payload.key)
        except self.s3.exceptions.NoSuchKey:
            raise PermanentError(f"no document s3://{self.bucket}/{payload.key}") from None
        if obj["ContentLength"] > MAX_DOCUMENT_BYTES:
            raise PermanentError(f"{payload.key} is {obj['ContentLength']} bytes; the limit is {MAX_DOCUMENT_BYTES}")
        text = _text_of(payload.key, obj.get("ContentType", ""), obj["Body"].read())
        job.checkpoint()
        words = len(re.findall(r"\w+", text))
        kept = utf8_prefix(text, MAX_TEXT_BYTES)  # the whole text is counted; its start is kept
        fields = {"key": payload.key, "text": kept, "words": words, "truncated": len(kept) < len(text)}
        self.content.save_document(job.organization_id, payload.document_id, fields)
        return {
            "documentId": payload.document_id,
            "chars": len(text),
            "words": words,
            "truncated": len(kept) < len(text),
        }


def documents_folder(organization_id: str) -> str:
    return f"documents/{organization_id}/"


def _text_of(key: str, content_type: str, body: bytes) -> str:
    lowered = key.lower()
    if "html" in content_type or lowered.endswith(_HTML_SUFFIXES):
        return readable_text(body).text
    if content_type.startswith("text/") or lowered.endswith(_TEXT_SUFFIXES):
        try:
            return body.decode("utf-8").strip()
        except UnicodeDecodeError as error:
            raise PermanentError(f"{key} is not UTF-8 text: {error}") from None
    raise PermanentError(f"{key}: unsupported document type {content_type or 'unknown'}")
