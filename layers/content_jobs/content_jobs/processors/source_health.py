"""Scrapes and feed syncs count their failures against the source's health: the source's,
not the workload's own (an item too large for the table is not the source's fault)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aws_lambda_powertools import Logger

from content_jobs.data.sources import SourceStore
from content_jobs.data.table import ItemTooLarge
from conveyor.jobs.errors import JobCancelled

logger = Logger(child=True)


@contextmanager
def tracked(sources: SourceStore, source_id: str) -> Iterator[None]:
    """A failure inside counts one more in the source's run of failures; success resets it."""
    try:
        yield
    except (JobCancelled, ItemTooLarge):
        raise
    except Exception as error:
        source = sources.failed(source_id, f"{type(error).__name__}: {error}")
        if not source.healthy:
            logger.warning("source unhealthy", extra={"sourceId": source_id, "failures": source.consecutive_failures})
        raise
    sources.succeeded(source_id)
