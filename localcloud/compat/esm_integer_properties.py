"""An event source mapping's numbers are numbers, however the template gave them.

AWS: CloudFormation hands a resource its properties in the types of the resource's
schema. `ScalingConfig: {MaximumConcurrency: !Ref Concurrency}` with a `Number`
parameter (a parameter's value is a string) reaches Lambda as the integer it names; so
do `MaximumRetryAttempts`, `MaximumRecordAgeInSeconds`, `ParallelizationFactor` and
`TumblingWindowInSeconds`. A reusable template that takes a queue's concurrency as a
parameter (stacks/components/job-queue.yaml) relies on it.

MiniStack 1.5.33: `_lambda_esm_create` and `_lambda_esm_update` convert `BatchSize` and
`MaximumBatchingWindowInSeconds` with int() but store the others as given, and the SQS
poller's `in_flight >= MaximumConcurrency` then raises TypeError on every pass, for
every mapping of the local cloud ("ESM SQS poller error: '>=' not supported between
instances of 'int' and 'str'"): nothing is delivered to any function any more.

Fix (upstreamable as a conversion of the schema's integer properties in those two
handlers): the handlers receive the mapping's integer properties as integers.
"""

from __future__ import annotations

import functools
from typing import Any

from ministack.services.cloudformation import provisioners

_RESOURCE = "AWS::Lambda::EventSourceMapping"
_INTEGERS = (
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "ParallelizationFactor",
    "TumblingWindowInSeconds",
)
_NESTED_INTEGERS = {"ScalingConfig": ("MaximumConcurrency",)}


def apply() -> None:
    handlers = provisioners._RESOURCE_HANDLERS[_RESOURCE]
    handlers["create"] = _integers_on_create(handlers["create"])
    handlers["update"] = _integers_on_update(handlers["update"])


def integers(props: dict) -> dict:
    """`props` with the schema's integer properties as integers (a numeric string converted)."""
    converted = {**props, **{name: _integer(props[name]) for name in _INTEGERS if name in props}}
    for parent, names in _NESTED_INTEGERS.items():
        if isinstance(props.get(parent), dict):
            nested = props[parent]
            converted[parent] = {**nested, **{name: _integer(nested[name]) for name in names if name in nested}}
    return converted


def _integer(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


def _integers_on_create(create: Any) -> Any:
    @functools.wraps(create)
    def wrapper(logical_id: str, props: dict, stack_name: str) -> Any:
        return create(logical_id, integers(props), stack_name)

    return wrapper


def _integers_on_update(update: Any) -> Any:
    @functools.wraps(update)
    def wrapper(physical_id: str, old_props: dict, new_props: dict, stack_name: str) -> Any:
        return update(physical_id, integers(old_props), integers(new_props), stack_name)

    return wrapper
