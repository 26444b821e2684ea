"""Which job of a run is which: the plan of models × sampled scenarios, by index.

    index i  ->  scenario = sampled[i // len(models)],  model = models[i % len(models)]
    job id   =   <run id>.<i>             its analyses: <run id>.<i>.basic, <run id>.<i>.deep

Jobs are released in index order, so a run moves through its scenarios one at a time
across all its models, and `byModel` progresses evenly. A job's id says its run and
index, so a worker finds the run of a message without reading the job first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from conveyor.jobs.records import NewJob
from evaluation.catalog import JobType
from evaluation.definitions import AnalysisKind
from evaluation.payloads import AnalyzePayload, ProbePayload
from evaluation.runs.records import Run
from evaluation.scenarios import Scenario

ANALYSIS_JOB_TYPES = {AnalysisKind.BASIC: JobType.ANALYZE_BASIC, AnalysisKind.DEEP: JobType.ANALYZE_DEEP}


@dataclass(frozen=True)
class JobRef:
    """What a job id says: run, index, and the analysis kind for an analysis job."""

    run_id: str
    index: int
    analysis: AnalysisKind | None = None

    @classmethod
    def parse(cls, job_id: str) -> JobRef | None:
        """None for an id that is not an evaluation job's."""
        parts = job_id.split(".")
        if len(parts) not in (2, 3) or not parts[0] or not parts[1].isdigit():
            return None
        kind = None
        if len(parts) == 3:
            kind = next((k for k in AnalysisKind if k.value.lower() == parts[2]), None)
            if kind is None:
                return None
        return cls(parts[0], int(parts[1]), kind)

    @property
    def probe_job_id(self) -> str:
        return probe_job_id(self.run_id, self.index)


def probe_job_id(run_id: str, index: int) -> str:
    return f"{run_id}.{index}"


def analysis_job_id(probe_id: str, kind: AnalysisKind) -> str:
    return f"{probe_id}.{kind.value.lower()}"


@dataclass(frozen=True)
class RunPlan:
    run: Run
    scenarios: Sequence[Scenario]  # the definition's, every one (the run samples positions of them)

    @cached_property
    def sampled(self) -> list[int]:
        return self.run.definition.sampled_positions()

    def model_index(self, index: int) -> int:
        return index % len(self.run.models)

    def scenario(self, index: int) -> Scenario:
        return self.scenarios[self.sampled[index // len(self.run.models)]]

    def probe_jobs(self, indexes: Iterable[int]) -> list[NewJob]:
        run = self.run
        return [
            NewJob(
                probe_job_id(run.id, index),
                JobType.PROBE_SCENARIO,
                run.organization_id,
                ProbePayload(
                    run_id=run.id,
                    index=index,
                    model=run.models[self.model_index(index)],
                    scenario=self.scenario(index),
                ),
            )
            for index in indexes
        ]


def analysis_jobs(run_id: str, organization_id: str, probe_id: str, kinds: Iterable[AnalysisKind]) -> list[NewJob]:
    return [
        NewJob(
            analysis_job_id(probe_id, kind),
            ANALYSIS_JOB_TYPES[kind],
            organization_id,
            AnalyzePayload(run_id=run_id, probe_job_id=probe_id),
        )
        for kind in kinds
    ]
