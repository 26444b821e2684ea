"""localcloud.compat.nested_stacks: a nested SAM stack is transformed, and updated in place."""

from __future__ import annotations

import json
from pathlib import Path

from localcloud import deploy as deployer

from .conftest import RunningCloud

PARENT = Path(__file__).parent / "platform" / "nested" / "parent.yaml"


def greeting(cloud: RunningCloud, function_name: str) -> str:
    response = cloud.client("lambda").invoke(FunctionName=function_name, Payload=b"{}")
    return json.loads(response["Payload"].read())["greeting"]


def test_a_nested_sam_stack_deploys_and_updates_in_place(cloud: RunningCloud) -> None:
    created = deployer.deploy(cloud.settings, template=PARENT, stack_name="nested-probe", parameters={"Greeting": "hi"})
    assert created.status == "CREATE_COMPLETE"
    assert greeting(cloud, created.outputs["FunctionName"]) == "hi"

    updated = deployer.deploy(
        cloud.settings, template=PARENT, stack_name="nested-probe", parameters={"Greeting": "bye"}
    )
    assert updated.status == "UPDATE_COMPLETE"
    # The same function (its role kept its Arn), with the new environment.
    assert updated.outputs["FunctionName"] == created.outputs["FunctionName"]
    assert greeting(cloud, updated.outputs["FunctionName"]) == "bye"
