"""AWS resources for unit tests, built from the templates' own definitions.

A DynamoDB table in a test is created from the `Properties` of its
`AWS::DynamoDB::Table` in `template.yaml` (or a nested stack under `stacks/`), so a
key, an index or a TTL that changes in the template changes in the tests too.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from awscli.customizations.cloudformation.yamlhelper import yaml_parse

PROJECT_DIR = Path(__file__).resolve().parent.parent
ROOT_TEMPLATE = PROJECT_DIR / "template.yaml"

# What CreateTable takes from an AWS::DynamoDB::Table's Properties (the rest is set after).
_CREATE_TABLE_PROPERTIES = (
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "BillingMode",
    "StreamSpecification",
)


@cache
def template(path: Path = ROOT_TEMPLATE) -> dict[str, Any]:
    return yaml_parse(path.read_text())


def resource(logical_id: str, path: Path = ROOT_TEMPLATE) -> dict[str, Any]:
    return template(path)["Resources"][logical_id]


def create_table(dynamodb: Any, logical_id: str, name: str | None = None, path: Path = ROOT_TEMPLATE) -> str:
    """Create the template's table `logical_id` (named `name`, default its logical id); returns the name."""
    definition = resource(logical_id, path)
    if definition["Type"] != "AWS::DynamoDB::Table":
        raise ValueError(f"{logical_id} is a {definition['Type']}, not a table")
    properties = definition["Properties"]
    name = name or logical_id
    dynamodb.create_table(
        TableName=name, **{key: properties[key] for key in _CREATE_TABLE_PROPERTIES if key in properties}
    )
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    return name
