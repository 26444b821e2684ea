"""The shape of every state machine definition, read as the console shows it.

- every Task has a Retry and a Catch;
- a Task that runs Conveyor's code never retries `PermanentError` (conveyor.core.errors),
  and `States.ALL` comes last;
- a Task that runs a durable step is named for it: step `simulate-api-call` is the state
  `SimulateApiCall` and keeps its result at `$.steps.simulateApiCall` (or is the run's
  `$.result`), so states, step records and results can be matched by name.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import PROJECT_DIR, load_handler
from ..template_resources import template
from .conftest import DurableResources

DEFINITIONS = sorted((PROJECT_DIR / "state_machines").glob("**/*.asl.json"))


def runs_conveyor_code(state: dict) -> bool:
    """A Lambda of ours (`${...FunctionArn}`): it may raise PermanentError; a service integration cannot."""
    return state["Resource"].endswith("FunctionArn}")


def tasks(definition: dict) -> dict[str, dict]:
    found = {}
    for name, state in definition["States"].items():
        if state["Type"] == "Task":
            found[name] = state
        for branch in state.get("Branches", []) + ([state["ItemProcessor"]] if "ItemProcessor" in state else []):
            found.update(tasks(branch))
    return found


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda path: path.name)
def test_every_task_retries_what_may_pass_and_catches_the_rest(path: Path) -> None:
    for name, state in tasks(json.loads(path.read_text())).items():
        retriers, catchers = state.get("Retry", []), state.get("Catch", [])
        assert retriers and catchers, f"{name} needs Retry and Catch"
        assert catchers[-1]["ErrorEquals"] == ["States.ALL"], f"{name}: its last Catch must catch everything"
        for index, retrier in enumerate(retriers):
            if "States.ALL" in retrier["ErrorEquals"]:
                assert index == len(retriers) - 1, f"{name}: States.ALL must be the last retrier"
        retried_all = any("States.ALL" in r["ErrorEquals"] and r.get("MaxAttempts", 3) > 0 for r in retriers)
        if retried_all and runs_conveyor_code(state):
            never = [r for r in retriers if "PermanentError" in r["ErrorEquals"]]
            assert never and all(r["MaxAttempts"] == 0 for r in never), f"{name} would retry a PermanentError"


def state_machines() -> list[tuple[Path, dict]]:
    """(template, AWS::Serverless::StateMachine) for every state machine of the stacks."""
    found = []
    for path in [PROJECT_DIR / "template.yaml", *sorted((PROJECT_DIR / "stacks").glob("*.yaml"))]:
        for resource in template(path)["Resources"].values():
            if resource["Type"] == "AWS::Serverless::StateMachine":
                found.append((path, resource))
    return found


def pascal(step: str) -> str:
    return "".join(part.title() for part in step.split("-"))


def camel(step: str) -> str:
    name = pascal(step)
    return name[:1].lower() + name[1:]


@pytest.mark.parametrize("path,machine", state_machines(), ids=lambda value: getattr(value, "name", ""))
def test_durable_steps_are_named_alike_in_state_code_and_result(
    path: Path, machine: dict, durable: DurableResources
) -> None:
    properties = machine["Properties"]
    definition = json.loads((path.parent / properties["DefinitionUri"]).read_text())
    resources = template(path)["Resources"]
    checked = 0
    for name, state in tasks(definition).items():
        variable = state["Resource"].removeprefix("${").removesuffix("}")
        function_ref = properties["DefinitionSubstitutions"].get(variable)
        if not isinstance(function_ref, dict) or "Fn::GetAtt" not in function_ref:
            continue
        function = resources.get(function_ref["Fn::GetAtt"][0])
        if function is None or function["Type"] != "AWS::Serverless::Function":
            continue  # a function of a nested stack (the flow's run ends)
        code = (path.parent / function["Properties"]["CodeUri"]).resolve().relative_to(PROJECT_DIR / "functions")
        handler = getattr(load_handler(str(code)), function["Properties"]["Handler"].split(".", 1)[1])
        step = getattr(handler, "step_name", None)
        if step is None:
            continue
        assert name == pascal(step), f"state {name} runs step {step!r}"
        assert state["ResultPath"] in (f"$.steps.{camel(step)}", "$.result"), f"{name} keeps its result elsewhere"
        checked += 1
    assert checked, f"no durable step found in {properties['DefinitionUri']}"
