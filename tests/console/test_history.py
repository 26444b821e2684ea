"""History events → state visits, for MiniStack's and AWS's shapes of history."""

from __future__ import annotations

from console.stepfunctions.history import StateStatus, derive_visits, state_statuses

from .histories import AwsHistory, recorded


def by_name(visits):  # noqa: ANN001, ANN201 - test helper
    return {visit.name: visit for visit in visits}


def test_a_retried_step_on_ministack_has_its_attempts_and_the_backoff_between_them() -> None:
    visits = derive_visits(recorded("ministack_retry_1"))

    call = by_name(visits)["SimulateApiCall"]
    assert call.status is StateStatus.SUCCEEDED
    assert [a.outcome for a in call.attempts] == ["failed", "failed", "succeeded"]
    assert call.retries == 2
    assert [a.error for a in call.attempts] == ["TransientStepError", "TransientStepError", None]
    assert call.attempts[0].backoff_seconds is None
    assert all(a.backoff_seconds is not None and a.backoff_seconds >= 0 for a in call.attempts[1:])
    assert by_name(visits)["SimulateDelay"].attempts == []  # a Wait state has no task
    assert [v.name for v in visits][:3] == ["Initialize", "Process", "SimulateDelay"]


def test_a_caught_failure_on_ministack_is_a_caught_error_and_the_fail_state_failed() -> None:
    visits = derive_visits(recorded("ministack_fail_1"))
    statuses = state_statuses(visits)

    assert statuses["Initialize"] is StateStatus.SUCCEEDED
    assert statuses["Process"] is StateStatus.CAUGHT_ERROR
    assert by_name(visits)["Process"].attempts[-1].error == "PermanentStepError"
    assert statuses["TaskFailed"] is StateStatus.FAILED
    assert by_name(visits)["TaskFailed"].error == "PermanentStepError"  # the error the execution failed with
    assert "SimulateApiCall" not in statuses  # never entered: the graph shows it not reached


def test_an_uncaught_failure_fails_the_state_that_was_running() -> None:
    history = AwsHistory()
    history.add("ExecutionStarted")
    history.add("TaskStateEntered", at=0.1, name="Charge", input="{}")
    history.add("LambdaFunctionScheduled", at=0.1)
    history.add("LambdaFunctionStarted", at=0.2)
    history.add("LambdaFunctionFailed", at=0.5, error="CardDeclined", cause="no funds")
    history.add("ExecutionFailed", at=0.5, error="CardDeclined", cause="no funds")

    [charge] = derive_visits(history.events)

    assert (charge.status, charge.error, charge.cause) == (StateStatus.FAILED, "CardDeclined", "no funds")
    assert charge.attempts[0].started_at is not None and charge.attempts[0].seconds == 0.4


def test_a_running_execution_has_its_current_state_in_progress() -> None:
    history = AwsHistory()
    history.add("ExecutionStarted")
    history.add("PassStateEntered", at=0.1, name="Prepare")
    history.add("PassStateExited", at=0.1, name="Prepare", output="{}")
    history.add("WaitStateEntered", at=0.2, name="Hold")

    visits = by_name(derive_visits(history.events))

    assert visits["Prepare"].status is StateStatus.SUCCEEDED
    assert visits["Hold"].status is StateStatus.IN_PROGRESS and visits["Hold"].open


def test_a_stopped_execution_aborts_its_open_state() -> None:
    history = AwsHistory()
    history.add("ExecutionStarted")
    history.add("WaitStateEntered", at=0.1, name="Hold")
    history.add("ExecutionAborted", at=3, error="Console.Stopped")

    [hold] = derive_visits(history.events)

    assert hold.status is StateStatus.ABORTED and hold.exited_at is not None


def test_a_task_aborted_with_its_execution_keeps_the_attempts_it_made() -> None:
    history = AwsHistory()
    history.add("ExecutionStarted")
    history.add("TaskStateEntered", at=0.1, name="Call")
    history.add("TaskScheduled", at=0.1)
    history.add("TaskStarted", at=0.2)
    history.add("TaskStateAborted", at=3)
    history.add("ExecutionAborted", at=3)

    [call] = derive_visits(history.events)

    assert call.status is StateStatus.ABORTED
    assert [(a.number, a.outcome) for a in call.attempts] == [(1, None)]  # TaskStateAborted is no attempt


def test_aws_history_with_map_iterations_and_parallel_branches_nests_the_states_inside() -> None:
    history = AwsHistory()
    history.add("ExecutionStarted")
    history.add("MapStateEntered", at=0.1, name="Each")
    started = history.add("MapStateStarted", at=0.1, length=2)
    iterations = {}
    for index in (0, 1):  # the two iterations run side by side: their events interleave
        iterations[index] = history.add("MapIterationStarted", after=started, at=0.2, name="Each", index=index)
    entered = {i: history.add("TaskStateEntered", after=iterations[i], at=0.3, name="Work") for i in (0, 1)}
    scheduled = {i: history.add("LambdaFunctionScheduled", after=entered[i], at=0.3) for i in (0, 1)}
    failed = history.add("LambdaFunctionFailed", after=scheduled[1], at=0.4, error="Boom", cause="x")
    done = history.add("LambdaFunctionSucceeded", after=scheduled[0], at=0.5, output="{}")
    retried = history.add("LambdaFunctionScheduled", after=failed, at=1.4)
    retry_done = history.add("LambdaFunctionSucceeded", after=retried, at=1.5, output="{}")
    exits = {
        0: history.add("TaskStateExited", after=done, at=0.5, name="Work", output="{}"),
        1: history.add("TaskStateExited", after=retry_done, at=1.5, name="Work", output="{}"),
    }
    ends = [history.add("MapIterationSucceeded", after=exits[i], at=1.5, name="Each", index=i) for i in (0, 1)]
    history.add("MapStateSucceeded", after=ends[-1], at=1.6)
    history.add("MapStateExited", at=1.6, name="Each", output="[]")
    history.add("ParallelStateEntered", at=1.7, name="Both")
    parallel_started = history.add("ParallelStateStarted", at=1.7)
    left = history.add("PassStateEntered", after=parallel_started, at=1.8, name="Left")
    right = history.add("PassStateEntered", after=parallel_started, at=1.8, name="Right")
    left_exit = history.add("PassStateExited", after=left, at=1.8, name="Left", output="{}")
    history.add("PassStateExited", after=right, at=1.9, name="Right", output="{}")
    history.add("ParallelStateSucceeded", after=left_exit, at=2.0)
    history.add("ParallelStateExited", at=2.0, name="Both", output="[]")
    history.add("SucceedStateEntered", at=2.1, name="Done")
    history.add("SucceedStateExited", at=2.1, name="Done", output="{}")
    history.add("ExecutionSucceeded", at=2.1, output="{}")

    visits = derive_visits(history.events)

    each, both = by_name(visits)["Each"], by_name(visits)["Both"]
    work = [v for v in visits if v.name == "Work"]
    assert [(w.iteration, w.parent, w.depth) for w in work] == [(0, each.event_id, 1), (1, each.event_id, 1)]
    assert [len(w.attempts) for w in work] == [1, 2]  # the retry belongs to iteration 1 alone
    assert work[1].attempts[1].backoff_seconds == 1.0
    assert all(v.status is StateStatus.SUCCEEDED for v in visits)  # a retry that succeeded is a success
    assert {v.name: v.parent for v in visits if v.name in ("Left", "Right")} == {
        "Left": both.event_id,
        "Right": both.event_id,
    }
    assert by_name(visits)["Done"].parent is None and each.parent is None and both.parent is None


def test_a_state_run_in_several_iterations_shows_the_most_telling_status() -> None:
    history = AwsHistory()
    history.add("ExecutionStarted")
    history.add("MapStateEntered", at=0.1, name="Each")
    started = history.add("MapStateStarted", at=0.1)
    first = history.add("MapIterationStarted", after=started, at=0.2, index=0)
    second = history.add("MapIterationStarted", after=started, at=0.2, index=1)
    one = history.add("TaskStateEntered", after=first, at=0.3, name="Work")
    history.add("TaskStateExited", after=one, at=0.4, name="Work", output="{}")
    history.add("TaskStateEntered", after=second, at=0.3, name="Work")

    assert state_statuses(derive_visits(history.events))["Work"] is StateStatus.IN_PROGRESS


def test_a_redriven_execution_shows_the_state_that_failed_and_then_succeeded() -> None:
    history = AwsHistory()
    history.add("ExecutionStarted")
    history.add("TaskStateEntered", at=0.1, name="Charge")
    history.add("TaskScheduled", at=0.1)
    history.add("TaskFailed", at=0.2, error="Timeout")
    history.add("ExecutionFailed", at=0.2, error="Timeout")
    history.add("ExecutionRedriven", at=60, redriveCount=1)
    history.add("TaskStateEntered", at=60.1, name="Charge")
    history.add("TaskScheduled", at=60.1)
    history.add("TaskSucceeded", at=60.3, output="{}")
    history.add("TaskStateExited", at=60.3, name="Charge", output="{}")
    history.add("ExecutionSucceeded", at=60.3)

    visits = derive_visits(history.events)

    assert [v.status for v in visits] == [StateStatus.FAILED, StateStatus.SUCCEEDED]
    assert state_statuses(visits)["Charge"] is StateStatus.SUCCEEDED
