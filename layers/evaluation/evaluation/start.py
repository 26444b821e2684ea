"""startRun: check the request, sample the scenarios, and create the run with its plan.

Every check names the input field it refuses (`input.samplePercentage`, `input.models.1`):

    definitionId       a definition the caller's organization sees (its own, or a sample)
                       that has scenarios
    models             1 to 20 distinct model ids, each of a provider configured here
    samplePercentage   0 < p <= 100
    sampleSeed         0 to 2^31-1; absent: a random one, kept in the run (re-run it with it)
    experimentId       an id (letters, digits, `_ . : -`), to group runs

The run and its whole plan are one transaction (`RunStore.create`): a run exists with all
its jobs planned, or not at all. Its job records are made as the dispatcher releases them.
"""

from __future__ import annotations

import random
import re
import uuid
from typing import Any

from conveyor.core.auth import Caller
from conveyor.core.clock import Clock, iso, now_ms, system_clock
from conveyor.graphql.errors import ArgumentError
from evaluation.definitions import DefinitionStore
from evaluation.providers.catalog import ModelCatalog
from evaluation.runs.records import ModelCounts, Run, RunDefinition, model_key
from evaluation.runs.status import RunPriority, RunStatus
from evaluation.runs.store import RunStore
from evaluation.sampling import MAX_SEED, SampleMask, sample_positions
from evaluation.wakeups import Wakeups

MAX_MODELS = 20
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


def _field(name: str) -> str:
    return f"input.{name}"


class RunStarter:
    def __init__(
        self,
        definitions: DefinitionStore,
        runs: RunStore,
        models: ModelCatalog,
        wakeups: Wakeups,
        clock: Clock = system_clock,
        seeds: random.Random | None = None,
    ) -> None:
        self._definitions = definitions
        self._runs = runs
        self._models = models
        self._wakeups = wakeups
        self._clock = clock
        self._seeds = seeds or random.SystemRandom()

    def start(self, caller: Caller, request: dict[str, Any]) -> Run:
        """`request`: StartRunInput's fields in snake_case (as the GraphQL layer passes them)."""
        organization = caller.acting_organization()
        definition_id = str(request["definition_id"])
        definition = self._definitions.get(definition_id)
        if definition is None or not (definition.sample or caller.may_see(definition.organization_id)):
            raise ArgumentError(f"no definition {definition_id!r}", field=_field("definitionId"))
        scenarios = self._definitions.scenarios(definition)
        if not scenarios:
            raise ArgumentError(f"definition {definition_id!r} has no scenarios", field=_field("definitionId"))
        models = self._models_of(request.get("models") or [])
        percentage = float(request.get("sample_percentage", 100))
        if not 0 < percentage <= 100:
            raise ArgumentError("samplePercentage must be above 0 and at most 100", field=_field("samplePercentage"))
        seed = request.get("sample_seed")
        if seed is None:
            seed = self._seeds.randint(0, MAX_SEED)
        elif not 0 <= int(seed) <= MAX_SEED:
            raise ArgumentError(f"sampleSeed must be 0 to {MAX_SEED}", field=_field("sampleSeed"))
        experiment = request.get("experiment_id")
        if experiment is not None and not _ID.match(str(experiment)):
            raise ArgumentError("experimentId: 1-128 letters, digits or _ . : -", field=_field("experimentId"))
        positions = sample_positions([s.id for s in scenarios], percentage, int(seed))
        now = self._clock()
        total = len(models) * len(positions)
        run = Run(
            id=uuid.uuid4().hex,
            organization_id=organization,
            created_by=caller.subject,
            status=RunStatus.PENDING,
            priority=RunPriority(request.get("priority") or RunPriority.NORMAL),
            definition=RunDefinition(
                id=definition.id,
                name=definition.name,
                description=definition.description,
                scenario_count=definition.scenario_count,
                analyses=definition.analyses,
                content_hash=definition.content_hash,
                sample_mask=SampleMask.of(positions, len(scenarios)).encoded,
                sampled_count=len(positions),
            ),
            models=models,
            sample_percentage=percentage,
            sample_seed=int(seed),
            experiment_id=experiment,
            total=total,
            remaining=total,
            by_model={model_key(i): ModelCounts() for i in range(len(models))},
            created_at=iso(now),
            created_ms=now_ms(self._clock),
        )
        self._runs.create(run)
        self._wakeups.request("run started", [run.id])
        return run

    def _models_of(self, models: list[Any]) -> list[str]:
        if not models:
            raise ArgumentError("models: give at least one model", field=_field("models"))
        if len(models) > MAX_MODELS:
            raise ArgumentError(f"models: at most {MAX_MODELS}", field=_field("models"))
        for position, model in enumerate(models):
            problem = self._models.problem(str(model))
            if problem:
                raise ArgumentError(f"models[{position}]: {problem}", field=_field(f"models.{position}"))
            if model in models[:position]:
                raise ArgumentError(f"models[{position}]: {model!r} is given twice", field=_field(f"models.{position}"))
        return [str(model) for model in models]
