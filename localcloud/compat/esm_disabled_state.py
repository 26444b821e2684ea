"""An event source mapping created with `Enabled: false` reports `State: Disabled`.

AWS: `AWS::Lambda::EventSourceMapping` with `Enabled: false` is created in the
`Disabled` state and delivers nothing until it is enabled.

MiniStack 1.5.33: CloudFormation's create handler honours `Enabled` (nothing is
delivered) but always records `State: Enabled`, so `list-event-source-mappings`
and `get-event-source-mapping` report a disabled mapping as enabled.

Fix (upstreamable as one line in `_lambda_esm_create`): the created mapping's
`State` follows `Enabled`.
"""

from __future__ import annotations

import functools
from typing import Any

from ministack.services import lambda_svc
from ministack.services.cloudformation import provisioners

_RESOURCE = "AWS::Lambda::EventSourceMapping"


def apply() -> None:
    handlers = provisioners._RESOURCE_HANDLERS[_RESOURCE]
    handlers["create"] = _state_follows_enabled(handlers["create"])


def _state_follows_enabled(create: Any) -> Any:
    @functools.wraps(create)
    def wrapper(logical_id: str, props: dict, stack_name: str) -> Any:
        physical_id, attributes = create(logical_id, props, stack_name)
        mapping = lambda_svc._esms.get(physical_id)
        if mapping is not None:
            enabled = str(mapping.get("Enabled", True)).lower() != "false"
            mapping["Enabled"] = enabled
            mapping["State"] = "Enabled" if enabled else "Disabled"
        return physical_id, attributes

    return wrapper
