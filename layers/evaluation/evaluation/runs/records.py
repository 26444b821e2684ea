"""A run as the store keeps it, and its progress as the API shows it.

One item per run (`run#<id>` / `run`). Its counters only ever move by DynamoDB `ADD`:

    total            jobs of the plan: models × sampled scenarios (fixed at creation)
    completed        jobs that ended COMPLETED       (+1 each, exactly once: runs.store)
    failed           jobs that ended FAILED          (+1 each, exactly once)
    remaining        total - completed - failed      (-1 each: the run COMPLETES at 0)
    byModel.m<i>     completed and failed of model i
    nextIndex        the plan's jobs below it have been released to the queue (+k per release)
    returned         a map whose keys are indexes handed back by a pause before they started
                     (released again first; a map, so an index is added and taken by SET/REMOVE)

and the index attributes (`owner`, `ownerStatus`, `activeKey`, `createdKey`) list a
organization's runs, by status, and the runs still active.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from conveyor.core.dynamo import plain, to_dynamo
from conveyor.core.models import ApiModel
from evaluation.definitions import AnalysisKind
from evaluation.runs.status import RunPriority, RunStatus
from evaluation.sampling import SampleMask

ACTIVE = "ACTIVE"  # activeKey of a run that is not final: the `active` index lists them


class RunDefinition(ApiModel):
    """The run's snapshot of its definition: immutable, so id and hash pin its content."""

    id: str
    name: str
    description: str | None = None
    scenario_count: int
    analyses: list[AnalysisKind]
    content_hash: str
    sample_mask: str = Field(description="the sampled positions (sampling.SampleMask, base64)")
    sampled_count: int

    def sampled_positions(self) -> list[int]:
        return SampleMask(self.sample_mask).positions()


class ModelCounts(ApiModel):
    completed: int = 0
    failed: int = 0


class Run(ApiModel):
    id: str
    organization_id: str
    created_by: str
    status: RunStatus
    priority: RunPriority
    definition: RunDefinition
    models: list[str]
    sample_percentage: float
    sample_seed: int
    experiment_id: str | None = None
    total: int
    completed: int = 0
    failed: int = 0
    remaining: int
    next_index: int = 0
    returned: list[int] = []
    by_model: dict[str, ModelCounts] = {}
    created_at: str
    created_ms: int
    started_at: str | None = None
    paused_at: str | None = None
    finished_at: str | None = None

    @property
    def unreleased(self) -> int:
        """Jobs of the plan not in the queue now: never released, or handed back."""
        return self.total - self.next_index + len(self.returned)

    def model_counts(self, model_index: int) -> ModelCounts:
        return self.by_model.get(model_key(model_index), ModelCounts())

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Run:
        values = plain(item)
        values["returned"] = sorted(int(index) for index in values.get("returned", {}))
        return cls.model_validate(values)

    def to_item(self) -> dict[str, Any]:
        item = self.model_dump(mode="json", exclude_none=True)
        item.update(
            returned={str(index): True for index in self.returned},
            pk=run_key(self.id)["pk"],
            sk="run",
            owner=owner(self.organization_id),
            ownerStatus=owner_status(self.organization_id, self.status),
            createdKey=f"{self.created_at}#{self.id}",
        )
        if not self.status.final:
            item["activeKey"] = ACTIVE
        return to_dynamo(item)  # type: ignore[no-any-return]


class ModelProgress(ApiModel):
    model: str
    total: int
    completed: int
    failed: int
    percent_complete: float


class RunProgress(ApiModel):
    total: int
    completed: int
    failed: int
    percent_complete: float
    by_model: list[ModelProgress]

    @classmethod
    def of(cls, run: Run) -> RunProgress:
        per_model = run.definition.sampled_count
        return cls(
            total=run.total,
            completed=run.completed,
            failed=run.failed,
            percent_complete=percent(run.completed + run.failed, run.total),
            by_model=[
                ModelProgress(
                    model=model,
                    total=per_model,
                    completed=(counts := run.model_counts(i)).completed,
                    failed=counts.failed,
                    percent_complete=percent(counts.completed + counts.failed, per_model),
                )
                for i, model in enumerate(run.models)
            ],
        )


def percent(done: int, total: int) -> float:
    return round(100.0 * done / total, 2) if total else 100.0


def model_key(model_index: int) -> str:
    return f"m{model_index}"


def run_key(run_id: str) -> dict[str, str]:
    return {"pk": f"run#{run_id}", "sk": "run"}


def owner(organization_id: str) -> str:
    return f"run#{organization_id}"


def owner_status(organization_id: str, status: RunStatus) -> str:
    return f"run#{organization_id}#{status}"
