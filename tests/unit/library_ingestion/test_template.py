"""stacks/library-ingestion.yaml and its place in template.yaml, read as CloudFormation reads
them: what the functions are given matches what they read, the flow and the collection are
configured from the root's parameters, and every function keeps its logs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conveyor.core.settings import EnvironmentSettings
from library_ingestion.settings import CollectionSettings, GraphqlSettings, IntakeSettings, StepSettings

from ...template_resources import PROJECT_DIR, ROOT_TEMPLATE, template
from .conftest import LIBRARY_TEMPLATE

FUNCTIONS = {
    "IntakeFunction": IntakeSettings,
    "FetchMetadataStepFunction": StepSettings,
    "FetchLyricsStepFunction": StepSettings,
    "EmbedStepFunction": StepSettings,
    "UpsertToIndexStepFunction": StepSettings,
    "CollectionFunction": CollectionSettings,
}


def stack() -> dict[str, Any]:
    return template(LIBRARY_TEMPLATE)


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in stack()["Resources"].items() if r["Type"] == kind}


def variables(settings: type[EnvironmentSettings]) -> set[str]:
    """The variables a settings class needs: those without a default."""
    return {field.alias for field in settings.model_fields.values() if field.alias and field.is_required()}


def root_application() -> dict[str, Any]:
    root = template(ROOT_TEMPLATE)["Resources"]
    [application] = [r for r in root.values() if r["Properties"].get("Location") == "stacks/library-ingestion.yaml"]
    return application


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_is_given_every_variable_its_settings_read(function: str) -> None:
    given = set(stack()["Globals"]["Function"]["Environment"]["Variables"])
    given |= set(stack()["Resources"][function]["Properties"].get("Environment", {}).get("Variables", {}))
    assert variables(FUNCTIONS[function]) <= given


def test_the_graphql_function_of_the_root_is_given_the_librarys_variables_layer_and_policy() -> None:
    root = template(ROOT_TEMPLATE)["Resources"]
    graphql = next(r for r in root.values() if r["Properties"].get("CodeUri") == "functions/graphql")["Properties"]
    assert variables(GraphqlSettings) <= set(graphql["Environment"]["Variables"])
    assert {"Fn::GetAtt": ["LibraryIngestion", "Outputs.LayerArn"]} in graphql["Layers"]
    assert {"Fn::GetAtt": ["LibraryIngestion", "Outputs.GraphqlAccessPolicyArn"]} in graphql["Policies"]
    # Under API Gateway's 29 s, and long enough for the catalog's listing and ISRCs at their timeouts.
    variables_ = graphql["Environment"]["Variables"]
    assert graphql["Timeout"] <= 29 and int(variables_["QDRANT_TIMEOUT_SECONDS"]) <= 3


def test_the_root_passes_every_parameter_the_stack_needs() -> None:
    declared = stack()["Parameters"]
    passed = set(root_application()["Properties"]["Parameters"])
    assert {name for name, p in declared.items() if "Default" not in p} <= passed <= set(declared)


def test_the_flow_is_throttled_per_provider_and_its_limits_come_from_the_root() -> None:
    flow = stack()["Resources"]["Flow"]["Properties"]
    assert flow["Location"] == "components/durable-flow.yaml"
    parameters = flow["Parameters"]
    assert parameters["FlowName"] == "track-ingestion" and parameters["ThrottleKey"] == "provider"
    assert parameters["Concurrency"] == {"Ref": "Concurrency"}
    assert parameters["ThrottleLimit"] == {"Ref": "ThrottleLimit"}
    passed = root_application()["Properties"]["Parameters"]
    assert passed["Concurrency"] == {"Ref": "TrackIngestionConcurrency"}
    assert passed["ThrottleLimit"] == {"Ref": "TrackIngestionThrottleLimit"}


def test_the_state_machine_runs_the_four_steps_in_order() -> None:
    [machine] = resources("AWS::Serverless::StateMachine").values()
    definition = json.loads((LIBRARY_TEMPLATE.parent / machine["Properties"]["DefinitionUri"]).read_text())
    order, state = [], definition["StartAt"]
    while state in definition["States"] and definition["States"][state]["Type"] == "Task":
        order.append(state)
        state = definition["States"][state].get("Next")
    assert order == ["FetchMetadata", "FetchLyrics", "Embed", "UpsertToIndex", "RecordRunSucceeded"]
    assert definition["States"]["RecordRunSucceeded"]["End"] is True
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    for step in ("FetchMetadata", "FetchLyrics", "Embed", "UpsertToIndex"):
        assert substitutions[f"{step}FunctionArn"] == {"Fn::GetAtt": [f"{step}StepFunction", "Arn"]}


def test_the_collection_is_made_on_deploy_from_the_embedding_and_kept() -> None:
    [collection] = resources("Custom::QdrantCollection").values()
    properties = collection["Properties"]
    assert properties["ServiceToken"] == {"Fn::GetAtt": ["CollectionFunction", "Arn"]}
    assert {"QdrantUrl", "CollectionName", "EmbeddingProvider"} <= set(properties)  # a change updates it
    assert collection["DeletionPolicy"] == "Retain" and int(properties["ServiceTimeout"]) <= 300


def test_every_function_keeps_its_logs_and_the_library_is_kept() -> None:
    groups = {
        r["Properties"]["LogGroupName"]["Fn::Sub"]: r["Properties"]["RetentionInDays"]
        for r in resources("AWS::Logs::LogGroup").values()
    }
    for function in resources("AWS::Serverless::Function"):
        assert groups[f"/aws/lambda/${{{function}}}"] == {"Ref": "LogRetentionDays"}
    [table] = resources("AWS::DynamoDB::Table").values()
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_the_layer_ships_the_dependencies_the_project_declares() -> None:
    requirements = (PROJECT_DIR / "layers" / "library_ingestion" / "requirements.txt").read_text().split()
    pyproject = (PROJECT_DIR / "pyproject.toml").read_text()
    for requirement in ("qdrant-client>=1.20", "wordllama>=0.4"):
        assert requirement in requirements and f'"{requirement}"' in pyproject
