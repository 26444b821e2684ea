"""esm_integer_properties: a mapping whose MaximumConcurrency comes from a Number parameter
delivers (without the fix, the poller fails on it and no mapping of the cloud delivers)."""

from __future__ import annotations

import uuid
from pathlib import Path

from boto3.dynamodb.conditions import Key

from localcloud import deploy as deployer

from ..conftest import wait_for
from .conftest import RunningCloud

TEMPLATE = Path(__file__).parent / "platform" / "mapping-parameters.yaml"


def test_a_mapping_configured_by_parameters_delivers(cloud: RunningCloud) -> None:
    outputs = deployer.deploy(cloud.settings, template=TEMPLATE, stack_name="mapping-parameters").outputs
    table = cloud.resource("dynamodb").Table(outputs["ProbeTableName"])
    body = f"by-parameters-{uuid.uuid4().hex[:8]}"
    cloud.client("sqs").send_message(QueueUrl=outputs["QueueUrl"], MessageBody=body)

    def delivered() -> bool:
        items = table.query(KeyConditionExpression=Key("kind").eq("delivery"))["Items"]
        return any(item["body"] == body for item in items)

    wait_for(delivered, timeout=30, what="the delivery through the parameterized mapping")
