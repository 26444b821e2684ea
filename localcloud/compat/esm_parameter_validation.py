"""An event source mapping AWS would refuse is refused: batch size without a window, bad filters.

AWS: CreateEventSourceMapping and UpdateEventSourceMapping (and so
CloudFormation) answer `InvalidParameterValueException` for an SQS mapping
with `BatchSize` over 10 and no `MaximumBatchingWindowInSeconds` ("Maximum
batch window in seconds must be greater than 0 if maximum batch size is
greater than 10"), and for a `FilterCriteria` pattern that is not a filter
pattern: not a JSON object, or a field whose value is not a non-empty list of
values and operators ("Invalid filter pattern definition."). (Checked on AWS
by LocalStack's tests/aws/services/lambda_/event_source_mapping/test_lambda_integration_sqs.py.)

MiniStack 1.5.33: both are stored; a broken filter then matches nothing and
the messages it should have filtered are deleted unseen.

Fix (upstreamable as a check in `_create_esm`, `_update_esm` and the
CloudFormation handlers): the same checks, with AWS's messages; a
CloudFormation resource fails with the message as its reason.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ministack.core.responses import error_response_json
from ministack.services import lambda_svc
from ministack.services.cloudformation import provisioners

_RESOURCE = "AWS::Lambda::EventSourceMapping"
_LARGEST_UNBATCHED_SIZE = 10
_FILTER_OPERATORS = frozenset(
    {"prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case", "cidr", "wildcard"}
)
BATCH_WINDOW_REQUIRED = (
    "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
)
INVALID_FILTER = "Invalid filter pattern definition."


class InvalidMapping(ValueError):
    """A mapping AWS refuses with InvalidParameterValueException."""


def apply() -> None:
    lambda_svc._create_esm = _refusing_invalid_create(lambda_svc._create_esm)
    lambda_svc._update_esm = _refusing_invalid_update(lambda_svc._update_esm)
    handlers = provisioners._RESOURCE_HANDLERS[_RESOURCE]
    handlers["create"] = _checked_stack_create(handlers["create"])
    handlers["update"] = _checked_stack_update(handlers["update"])


def check_mapping(mapping: dict[str, Any]) -> None:
    """Raise InvalidMapping for what AWS refuses in a mapping's settings."""
    if ":sqs:" in str(mapping.get("EventSourceArn", "")):
        batch_size = int(mapping.get("BatchSize") or _LARGEST_UNBATCHED_SIZE)
        window = int(mapping.get("MaximumBatchingWindowInSeconds") or 0)
        if batch_size > _LARGEST_UNBATCHED_SIZE and window < 1:
            raise InvalidMapping(BATCH_WINDOW_REQUIRED)
    for entry in (mapping.get("FilterCriteria") or {}).get("Filters") or []:
        if not _is_filter_pattern(entry.get("Pattern") if isinstance(entry, dict) else None):
            raise InvalidMapping(INVALID_FILTER)


def _is_filter_pattern(text: Any) -> bool:
    try:
        pattern = json.loads(text) if isinstance(text, str) else None
    except json.JSONDecodeError:
        return False
    return _is_pattern_object(pattern)


def _is_pattern_object(node: Any) -> bool:
    if not isinstance(node, dict) or not node:
        return False
    for key, value in node.items():
        if key == "$or":
            if not isinstance(value, list) or not value or not all(_is_pattern_object(v) for v in value):
                return False
        elif isinstance(value, dict):
            if not _is_pattern_object(value):
                return False
        elif not isinstance(value, list) or not value or not all(_is_matcher(v) for v in value):
            return False
    return True


def _is_matcher(value: Any) -> bool:
    if isinstance(value, dict):
        return len(value) == 1 and next(iter(value)) in _FILTER_OPERATORS
    return value is None or isinstance(value, (str, int, float, bool))


def _refused(error: InvalidMapping) -> Any:
    return error_response_json("InvalidParameterValueException", str(error), 400)


def _refusing_invalid_create(create: Any) -> Any:
    @functools.wraps(create)
    def wrapper(data: dict) -> Any:
        try:
            check_mapping(data)
        except InvalidMapping as error:
            return _refused(error)
        return create(data)

    return wrapper


def _refusing_invalid_update(update: Any) -> Any:
    @functools.wraps(update)
    def wrapper(esm_id: str, data: dict) -> Any:
        existing = lambda_svc._esms.get(esm_id)
        if existing is not None:
            try:
                check_mapping({**existing, **data})
            except InvalidMapping as error:
                return _refused(error)
        return update(esm_id, data)

    return wrapper


def _checked_stack_create(create: Any) -> Any:
    @functools.wraps(create)
    def wrapper(logical_id: str, props: dict, stack_name: str) -> Any:
        check_mapping(props)
        return create(logical_id, props, stack_name)

    return wrapper


def _checked_stack_update(update: Any) -> Any:
    @functools.wraps(update)
    def wrapper(physical_id: str, old_props: dict, new_props: dict, stack_name: str) -> Any:
        check_mapping(new_props)
        return update(physical_id, old_props, new_props, stack_name)

    return wrapper
