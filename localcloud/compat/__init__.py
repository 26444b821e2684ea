"""Small, named fixes where MiniStack differs from AWS in a way Conveyor relies on.

Each module documents what AWS does, what MiniStack does, and the fix, and has
a test that fails without it: in tests/integration/test_compat.py, or the one
its docstring names. Fixes patch
MiniStack in its own process, so `apply_all()` runs before the server starts.
"""

from __future__ import annotations

from localcloud.compat import (
    esm_disabled_state,
    lambda_error_type,
    lambda_log_drain,
    nested_stacks,
    rest_api_gateway_responses,
    scheduler_context_attributes,
    sqs_message_move,
)

FIXES = (
    lambda_error_type,
    sqs_message_move,
    esm_disabled_state,
    scheduler_context_attributes,
    lambda_log_drain,
    nested_stacks,
    rest_api_gateway_responses,
)


def apply_all() -> None:
    for fix in FIXES:
        fix.apply()
