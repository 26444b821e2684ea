"""How Step Functions executions run as on AWS: idempotent starts
(sfn_start_idempotent), execution and task timeouts (sfn_execution_timeout,
sfn_task_timeouts), retry waits (sfn_retry_backoff) and redrive (sfn_redrive)."""

from __future__ import annotations

import uuid

import pytest

from .conftest import RunningCloud
from .executions import create_machine, history, types

HOLD = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 6000, "End": True}}}


def test_starting_a_running_execution_again_with_the_same_input_answers_with_it(cloud: RunningCloud) -> None:
    sfn = cloud.client("stepfunctions")
    machine = create_machine(cloud, HOLD)
    name = f"run-{uuid.uuid4().hex[:8]}"
    first = sfn.start_execution(stateMachineArn=machine, name=name, input='{"n": 1}')

    again = sfn.start_execution(stateMachineArn=machine, name=name, input='{"n": 1}')

    assert (again["executionArn"], again["startDate"]) == (first["executionArn"], first["startDate"])
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=machine, name=name, input='{"n": 2}')  # other input
    sfn.stop_execution(executionArn=first["executionArn"])
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=machine, name=name, input='{"n": 1}')  # closed
    assert types(history(cloud, first["executionArn"])).count("ExecutionStarted") == 1
