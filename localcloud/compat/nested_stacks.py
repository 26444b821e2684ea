"""Nested stacks deploy as AWS deploys them: transforms applied, updates in place.

AWS: an `AWS::CloudFormation::Stack` (what SAM makes of `AWS::Serverless::Application`)
is a stack like any other. (1) A child template that declares
`Transform: AWS::Serverless-2016-10-31` is transformed before its resources are
created (with CAPABILITY_AUTO_EXPAND on the parent). (2) Updating the parent updates
the child in place: a child resource whose properties did not change is left alone and
keeps its attributes, so `!GetAtt FunctionRole.Arn` still resolves.

MiniStack 1.5.33: `_cfn_nested_stack_deploy` (1) provisions the child template as
parsed, so `AWS::Serverless::Function` fails with "Unsupported resource type", and
(2) on update calls `_update_resource` without the resource's previous attributes, so
an unchanged resource comes back with none and the update fails with "Requested
attribute Arn does not exist in schema for AWS::IAM::Role".

Fix (upstreamable as two small changes in `_cfn_nested_stack_deploy`: pass the parsed
template through `engine._apply_transforms`, as CreateStack and UpdateStack do, and
pass `old_attrs=prev.get("Attributes")` to `_update_resource`, as the top-level update
does): while this thread deploys a nested stack, the template it parses goes through
`_apply_transforms`, and an update it makes without previous attributes gets the ones
the child stack recorded.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from ministack.services import cloudformation
from ministack.services.cloudformation import engine, provisioners

# Set while this thread deploys a nested stack.
_deploying_nested = threading.local()


def apply() -> None:
    provisioners._cfn_nested_stack_deploy = _marking_nested(provisioners._cfn_nested_stack_deploy)
    engine._parse_template = _transformed_when_nested(engine._parse_template)
    provisioners._update_resource = _previous_attributes_when_nested(provisioners._update_resource)


def _nested() -> bool:
    return getattr(_deploying_nested, "active", False)


def _marking_nested(deploy: Any) -> Any:
    @functools.wraps(deploy)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outer = _nested()
        _deploying_nested.active = True
        try:
            return deploy(*args, **kwargs)
        finally:
            _deploying_nested.active = outer

    return wrapper


def _transformed_when_nested(parse: Any) -> Any:
    @functools.wraps(parse)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        template = parse(*args, **kwargs)
        if not _nested() or not isinstance(template, dict):
            return template
        transformed = engine._apply_transforms(template)
        if isinstance(transformed, engine._TransformFailed):
            raise ValueError(transformed.error)
        return transformed

    return wrapper


def _previous_attributes_when_nested(update: Any) -> Any:
    @functools.wraps(update)
    def wrapper(
        resource_type: str,
        physical_id: str,
        old_props: dict,
        new_props: dict,
        stack_name: str,
        logical_id: str | None = None,
        old_attrs: dict | None = None,
    ) -> Any:
        if old_attrs is None and _nested() and logical_id:
            # Until this update returns, the child's record still holds the resource as it was.
            record = (cloudformation._stacks.get(stack_name) or {}).get("_resources", {}).get(logical_id, {})
            old_attrs = record.get("Attributes")
        return update(resource_type, physical_id, old_props, new_props, stack_name, logical_id, old_attrs)

    return wrapper
