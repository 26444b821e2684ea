"""Evaluation runs for the GraphQL function: what each operation does, for a verified caller.

    functions/graphql/app.py:  compose(..., EvaluationApi.from_environment(aws).module())

Tenancy: definitions and runs belong to the caller's organization (from the token, never
from the request); another organization's run is FORBIDDEN; the samples are everyone's;
the `admin` group acts across organizations and alone sees and controls the queue.

Environment variables (the root stack sets them on the GraphQL function, the job engine's
with the `EVALUATION_` prefix): see `evaluation.settings` (ApiSettings).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from conveyor.core.auth import Caller, Forbidden
from conveyor.core.aws import AwsClients
from conveyor.core.clock import Clock, system_clock
from conveyor.core.errors import NotFound
from conveyor.graphql.errors import ArgumentError
from conveyor.graphql.schema import GraphqlModule
from conveyor.jobs.consumers import QueueConsumers
from conveyor.jobs.service import JobService
from evaluation.catalog import REGISTRY
from evaluation.definitions import Definition, DefinitionInput, DefinitionStore
from evaluation.graphql.module import evaluation_module
from evaluation.providers.catalog import model_catalog
from evaluation.queue_status import EvaluationQueue, QueueStatus
from evaluation.runs.records import Run, RunDefinition
from evaluation.runs.status import RunStatus
from evaluation.runs.store import RunNotFound, RunStore
from evaluation.runs.tasks import TaskLog, TaskResult
from evaluation.samples import Samples
from evaluation.scenarios import Scenario
from evaluation.settings import ENV_PREFIX, ApiSettings
from evaluation.start import RunStarter
from evaluation.wakeups import Wakeups

MAX_PAGE = 100


class EvaluationApi:
    def __init__(self, settings: ApiSettings, aws: AwsClients, clock: Clock = system_clock) -> None:
        table = aws.table(settings.table)
        jobs_table = aws.table(settings.jobs_table)
        jobs = JobService.build(settings, aws, REGISTRY, clock)
        self.definitions = DefinitionStore(table, clock)
        self.samples = Samples(table, self.definitions)
        self.runs = RunStore(table, clock)
        self.tasks = TaskLog(table, jobs_table, clock)
        self.wakeups = Wakeups(aws.client("sqs"), settings.dispatch_queue_url)
        self.starter = RunStarter(
            self.definitions, self.runs, model_catalog(settings.openai_base_url), self.wakeups, clock
        )
        consumers = QueueConsumers(
            aws.client("lambda"), settings.worker_function, jobs.queues, [str(queue) for queue in REGISTRY.queues]
        )
        self.queue = EvaluationQueue(jobs, jobs_table, self.runs, consumers)

    @classmethod
    def from_environment(
        cls, aws: AwsClients, environ: Mapping[str, str] | None = None, clock: Clock = system_clock
    ) -> EvaluationApi:
        return cls(ApiSettings.from_environment(environ, prefix=ENV_PREFIX), aws, clock)

    def module(self) -> GraphqlModule:
        return evaluation_module(self)

    # -- definitions ------------------------------------------------------------------------

    def visible_definitions(self, caller: Caller) -> list[Definition]:
        self.samples.ensure()
        return self.definitions.visible_to(caller.acting_organization())

    def definition(self, caller: Caller, definition_id: str) -> Definition | None:
        self.samples.ensure()
        definition = self.definitions.get(definition_id)
        if definition is None or not (definition.sample or caller.may_see(definition.organization_id)):
            return None
        return definition

    def scenarios(self, definition: Definition, first: int) -> list[Scenario]:
        return self.definitions.scenarios(definition)[: max(0, first)]

    def create_definition(self, caller: Caller, data: dict[str, Any]) -> Definition:
        definition = validated(DefinitionInput, data, "input")
        return self.definitions.create(definition, caller.acting_organization())

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, caller: Caller, data: dict[str, Any]) -> Run:
        self.samples.ensure()
        return self.starter.start(caller, data)

    def run(self, caller: Caller, run_id: str) -> Run:
        run = self.runs.get(run_id)
        if run is None:
            raise NotFound(f"no run {run_id!r}", field="id")
        if not caller.may_see(run.organization_id):
            raise Forbidden(f"run {run_id!r} belongs to another organization")
        return run

    def run_page(
        self, caller: Caller, status: str | None, first: int, after: str | None
    ) -> tuple[list[Run], str | None]:
        if not 1 <= first <= MAX_PAGE:
            raise ArgumentError(f"first must be 1 to {MAX_PAGE}", field="first")
        return self.runs.page(caller.acting_organization(), RunStatus(status) if status else None, first, after)

    def pause_run(self, caller: Caller, run_id: str) -> Run:
        self.run(caller, run_id)
        return self._changed(self.runs.pause, run_id)

    def resume_run(self, caller: Caller, run_id: str) -> Run:
        self.run(caller, run_id)
        run = self._changed(self.runs.resume, run_id)
        self.wakeups.request("run resumed", [run.id])
        return run

    def cancel_run(self, caller: Caller, run_id: str) -> Run:
        self.run(caller, run_id)
        return self._changed(self.runs.cancel, run_id)

    def recent_tasks(self, run: Run, limit: int) -> list[TaskResult]:
        if not 1 <= limit <= 100:
            raise ArgumentError("limit must be 1 to 100", field="limit")
        return self.tasks.recent(run.id, run.definition.analyses, limit)

    def sampled_scenario_ids(self, snapshot: RunDefinition) -> list[str]:
        definition = self.definitions.get(snapshot.id)
        if definition is None:
            return []
        scenarios = self.definitions.scenarios(definition)
        return [scenarios[position].id for position in snapshot.sampled_positions()]

    @staticmethod
    def _changed(change: Any, run_id: str) -> Run:
        try:
            return change(run_id)  # type: ignore[no-any-return]
        except RunNotFound:
            raise NotFound(f"no run {run_id!r}", field="id") from None

    # -- the queue (admin) -------------------------------------------------------------------

    def queue_status(self, caller: Caller) -> QueueStatus:
        caller.require_admin("the queue's status")
        return self.queue.status()

    def pause_queue(self, caller: Caller) -> QueueStatus:
        caller.require_admin("pausing the queue")
        return self.queue.pause()

    def resume_queue(self, caller: Caller) -> QueueStatus:
        caller.require_admin("resuming the queue")
        status = self.queue.resume()
        self.wakeups.request("queue resumed")
        return status


def validated(model: type[BaseModel], data: Any, argument: str) -> Any:
    """`data` as `model`, or an ArgumentError naming the first wrong field (`input.scenarios.3.id`)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        path = ".".join([argument, *(to_camel(p) if isinstance(p, str) else str(p) for p in first["loc"])])
        raise ArgumentError(f"{path}: {first['msg']}", field=path) from None
