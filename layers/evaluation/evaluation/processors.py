"""What each evaluation job does, given only what it uses.

    probe:scenario   the scenario's prompt to the job's model (providers), its transcript the result
    analyze:basic    analysis.basic on the probe's transcript and the scenario's expectation
    analyze:deep     analysis.deep on the same

A failed call raises its retry class (`evaluation.retries`): the engine retries the
transient ones after the backoff (or Retry-After) and fails the others at once.
"""

from __future__ import annotations

from typing import Any

from conveyor.core.errors import PermanentError
from conveyor.jobs.context import JobContext
from conveyor.jobs.status import JobStatus
from conveyor.jobs.store import JobStore
from evaluation.analysis.basic import analyze_basic
from evaluation.analysis.deep import analyze_deep
from evaluation.definitions import AnalysisKind
from evaluation.payloads import AnalyzePayload, ProbePayload
from evaluation.providers.base import ProbeRequest, Transcript
from evaluation.providers.catalog import ModelCatalog
from evaluation.scenarios import Scenario


class Probe:
    def __init__(self, models: ModelCatalog) -> None:
        self._models = models

    def __call__(self, payload: ProbePayload, context: JobContext) -> dict[str, Any]:
        provider, name = self._models.provider_of(payload.model)
        scenario = payload.scenario
        request = ProbeRequest(
            model=name,
            prompt=scenario.prompt,
            system=scenario.system,
            attempt=context.job.attempts,
            simulate=scenario.simulate,
        )
        # A call is bounded by EVALUATION_MODEL_TIMEOUT_SECONDS, well inside the queue's lock:
        # no heartbeat is needed, and the result is kept only if the job is still this attempt's.
        return provider.complete(request).model_dump(mode="json")


class Analyze:
    def __init__(self, kind: AnalysisKind, jobs: JobStore) -> None:
        self._kind = kind
        self._jobs = jobs

    def __call__(self, payload: AnalyzePayload, context: JobContext) -> dict[str, Any]:
        probe = self._jobs.get(payload.probe_job_id)
        if probe is None or probe.status != JobStatus.COMPLETED:
            raise PermanentError(f"probe job {payload.probe_job_id} has no transcript to analyse")
        transcript = Transcript.model_validate(probe.result)
        scenario = Scenario.model_validate(probe.payload["scenario"])
        if self._kind == AnalysisKind.BASIC:
            return analyze_basic(transcript.answer, scenario.expected)
        return analyze_deep(transcript.answer, scenario.prompt, scenario.expected)
