"""Small, named fixes where MiniStack differs from AWS in a way Conveyor relies on.

Each module documents what AWS does, what MiniStack does, and the fix, and has
a test that fails without it: in tests/integration/test_compat*.py, or the one
its docstring names. Fixes patch MiniStack in its own process, so
`apply_all()` runs before the server starts.

`lambda_worker_deaths` comes before `lambda_error_payload`, which reports the
`errorType` of the worker's answer that the former gives a dead worker.
Order matters for the Step Functions fixes: `sfn_execution_history` replaces
MiniStack's state walker, and the ones after it wrap the functions that
walker calls (or, for the execution timeout and redrive, use its
`end_execution` and its record of where a run stopped).
"""

from __future__ import annotations

from localcloud.compat import (
    esm_batch_item_failures,
    esm_batching_window,
    esm_disabled_state,
    esm_idle_wake,
    esm_integer_properties,
    esm_parameter_validation,
    lambda_error_payload,
    lambda_log_drain,
    lambda_worker_deaths,
    lambda_worker_orphans,
    nested_stacks,
    rest_api_gateway_responses,
    scheduler_context_attributes,
    sfn_data_limit,
    sfn_execution_history,
    sfn_execution_timeout,
    sfn_interrupted_executions,
    sfn_put_events,
    sfn_redrive,
    sfn_retry_backoff,
    sfn_start_idempotent,
    sfn_task_timeouts,
    sfn_wait_validation,
    sqs_message_move,
    sqs_message_size,
    sqs_receipt_handles,
)

FIXES = (
    lambda_worker_deaths,
    lambda_error_payload,
    lambda_log_drain,
    lambda_worker_orphans,
    sqs_message_move,
    sqs_receipt_handles,
    sqs_message_size,
    esm_disabled_state,
    esm_idle_wake,
    esm_integer_properties,
    esm_parameter_validation,
    esm_batch_item_failures,
    esm_batching_window,
    scheduler_context_attributes,
    sfn_execution_history,
    sfn_start_idempotent,
    sfn_execution_timeout,
    sfn_task_timeouts,
    sfn_retry_backoff,
    sfn_wait_validation,
    sfn_data_limit,
    sfn_put_events,
    sfn_redrive,
    sfn_interrupted_executions,
    nested_stacks,
    rest_api_gateway_responses,
)


def apply_all() -> None:
    for fix in FIXES:
        fix.apply()
