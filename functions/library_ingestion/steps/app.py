"""The Lambda steps of the `track-ingestion` state machine, one handler per step:
FetchMetadata, FetchLyrics, Embed, UpsertToIndex (`library_ingestion.steps`).

Each step is memoized per (taskId, step name) within a run (`conveyor.durable.steps`); how a
run ends (recorded, its slot freed) is the durable flow's: `functions/durable_flow`. The
embedding model loads on the first Embed, so the other steps never pay for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Tracer

from conveyor.core.aws import AwsClients
from conveyor.durable.steps import DurableSteps, StepHandler, StepRun
from conveyor.durable.store import TaskStore
from library_ingestion import wiring
from library_ingestion.models import FLOW
from library_ingestion.settings import StepSettings
from library_ingestion.steps import TrackIngestionSteps

logger = Logger()
tracer = Tracer()

aws = AwsClients()
settings = StepSettings.from_environment()
catalog, lyrics = wiring.catalog_and_lyrics(settings)
pipeline = TrackIngestionSteps(catalog, lyrics, wiring.embeddings(settings, aws), wiring.track_index(settings, aws))
durable = DurableSteps(TaskStore(aws.table(settings.tasks_table)), FLOW)


def _lambda(name: str, step: Callable[[StepRun], Any]) -> StepHandler:
    return logger.inject_lambda_context(tracer.capture_lambda_handler(durable.handler(name, step)))


fetch_metadata = _lambda("fetch-metadata", pipeline.fetch_metadata)
fetch_lyrics = _lambda("fetch-lyrics", pipeline.fetch_lyrics)
embed = _lambda("embed", pipeline.embed)
upsert_to_index = _lambda("upsert-to-index", pipeline.upsert_to_index)
