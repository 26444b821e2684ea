"""One payload model per evaluation job type: checked when a job is created and again by the worker."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from conveyor.core.ids import Identifier
from conveyor.jobs.registry import JobPayload
from evaluation.scenarios import Scenario

MODEL_ID_PATTERN = r"^[a-z0-9-]{1,40}/\S{1,160}$"  # <provider>/<model name>
ModelId = Annotated[str, Field(pattern=MODEL_ID_PATTERN)]


class ProbePayload(JobPayload):
    """Probe `model` with `scenario`: job `index` of run `run_id`."""

    run_id: Identifier
    index: Annotated[int, Field(ge=0)]
    model: ModelId
    scenario: Scenario


class AnalyzePayload(JobPayload):
    """Analyse the transcript of probe job `probe_job_id` (its result) against its scenario."""

    run_id: Identifier
    probe_job_id: Identifier
