"""The resolvers of `evaluation.graphql`: each reads the verified caller and asks the
`EvaluationApi`; fields resolve from the models' snake_case attributes (the schema is
composed with `convert_names_case`), so only derived fields have resolvers here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ariadne import MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo

from conveyor.graphql.schema import GraphqlModule, caller_of
from evaluation.runs.records import RunProgress

if TYPE_CHECKING:
    from evaluation.api import EvaluationApi

SDL = Path(__file__).with_name("evaluation.graphql")
Info = GraphQLResolveInfo


def evaluation_module(api: EvaluationApi) -> GraphqlModule:
    query, mutation = QueryType(), MutationType()
    run_type, snapshot, definition_type = ObjectType("Run"), ObjectType("RunDefinition"), ObjectType("Definition")

    query.set_field("definitions", lambda _, info: api.visible_definitions(caller_of(info)))
    query.set_field("definition", lambda _, info, id: api.definition(caller_of(info), id))
    query.set_field("run", lambda _, info, id: api.run(caller_of(info), id))
    query.set_field("queueStatus", lambda _, info: api.queue_status(caller_of(info)))

    @query.field("runs")
    def runs(_: Any, info: Info, status: str | None = None, first: int = 20, after: str | None = None) -> Any:
        found, token = api.run_page(caller_of(info), status, first, after)
        return {"runs": found, "next_token": token}

    mutation.set_field("createDefinition", lambda _, info, input: api.create_definition(caller_of(info), input))
    mutation.set_field("startRun", lambda _, info, input: api.start_run(caller_of(info), input))
    mutation.set_field("pauseRun", lambda _, info, id: api.pause_run(caller_of(info), id))
    mutation.set_field("resumeRun", lambda _, info, id: api.resume_run(caller_of(info), id))
    mutation.set_field("cancelRun", lambda _, info, id: api.cancel_run(caller_of(info), id))
    mutation.set_field("pauseQueue", lambda _, info: api.pause_queue(caller_of(info)))
    mutation.set_field("resumeQueue", lambda _, info: api.resume_queue(caller_of(info)))

    run_type.set_field("organization", lambda run, _: run.organization_id)
    run_type.set_field("progress", lambda run, _: RunProgress.of(run))
    run_type.set_field("recentTasks", lambda run, _, limit=10: api.recent_tasks(run, limit))
    snapshot.set_field("sampledScenarioIds", lambda definition, _: api.sampled_scenario_ids(definition))

    definition_type.set_field("organization", lambda definition, _: definition.organization_id)
    definition_type.set_field("scenarios", lambda definition, _, first=50: api.scenarios(definition, first))

    return GraphqlModule.from_file("evaluation", SDL, query, mutation, run_type, snapshot, definition_type)
