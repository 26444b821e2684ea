"""Submitting `demo/task.requested`: the one path the queue and `POST /tasks` share.

A second submission of the same taskId inside the idempotency window (24 h by
default) starts nothing and answers with the existing run: Powertools
idempotency keyed by `taskId`, on DynamoDB. `force: true` skips that check and
queues a new run.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from conveyor.demo_task import flow
from conveyor.demo_task.models import DemoTaskRequested
from conveyor.durable.store import task_store
from conveyor.durable.submission import QueuedRun, queue_new_run, queue_replay
from conveyor.durable.views import TaskAccepted
from conveyor.settings import settings

IDEMPOTENCY_KEY_PREFIX = "demo/task.requested"


def submit(request: DemoTaskRequested, context: LambdaContext | None = None) -> TaskAccepted:
    if request.force:
        accepted = _queue(request.to_event())
    else:
        if context is not None:
            _idempotency_config().register_lambda_context(context)
        accepted = _submit_once()(request=request.to_event())
    answer = TaskAccepted.model_validate(accepted)
    if not answer.duplicate:
        flow.request_dispatch_now(f"submitted {answer.task_id}")
    return answer


def replay(task_id: str) -> TaskAccepted:
    """Queue the FAILED run of `task_id` again (raises TaskNotFound, NotReplayable)."""
    queued = queue_replay(task_store(), flow.waiting_list(), task_id)
    flow.request_dispatch_now(f"replay of {task_id}")
    return _accepted(queued, duplicate=False)


def _queue(task: dict[str, Any]) -> dict[str, Any]:
    queued = queue_new_run(task_store(), flow.waiting_list(), task, int(task.get("priority", 0)))
    return _accepted(queued, duplicate=False).model_dump(by_alias=True)


def _accepted(queued: QueuedRun, duplicate: bool) -> TaskAccepted:
    return TaskAccepted(
        task_id=queued.task_id,
        run=queued.run,
        replay=queued.replay,
        execution_name=queued.execution_name,
        status="QUEUED",
        duplicate=duplicate,
    )


def _answer_for_duplicate(response: dict[str, Any], _record: DataRecord) -> dict[str, Any]:
    """The stored answer of the first submission, marked duplicate, with the run's status now."""
    current = task_store().get_task(response["taskId"]) or {}
    return {**response, "duplicate": True, "status": current.get("status", response.get("status"))}


@cache
def _idempotency_config() -> IdempotencyConfig:
    return IdempotencyConfig(
        event_key_jmespath="taskId",
        expires_after_seconds=settings().idempotency_window_seconds,
        response_hook=_answer_for_duplicate,
    )


@cache
def _submit_once() -> Callable[..., dict[str, Any]]:
    persistence = DynamoDBPersistenceLayer(table_name=settings().idempotency_table)

    # One key prefix for every function that submits (the queue consumer, the
    # API): by default Powertools prefixes keys with the Lambda function's name.
    @idempotent_function(
        data_keyword_argument="request",
        config=_idempotency_config(),
        persistence_store=persistence,
        key_prefix=IDEMPOTENCY_KEY_PREFIX,
    )
    def submit_once(request: dict[str, Any]) -> dict[str, Any]:
        return _queue(request)

    return submit_once
