"""Submitting `demo/task.requested`: the one path the queue and `POST /tasks` share.

A second submission of the same taskId by the same organization inside the
idempotency window (24 h by default) starts nothing and answers with the existing run:
Powertools idempotency keyed by (organization, taskId), on DynamoDB. `force: true` skips
that check and queues a new run. A taskId is its organization's: another organization
submitting it is refused (`TaskIdTaken`).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from conveyor.core.aws import AwsClients
from conveyor.core.clock import Clock, system_clock
from conveyor.durable.flow import FlowSubmitter
from conveyor.durable.submission import QueuedRun
from conveyor.durable.views import TaskAccepted
from demo_task.models import DemoTaskRequested
from demo_task.settings import SubmissionSettings

# One key prefix for every function that submits (the queue consumer, the API): by
# default Powertools prefixes keys with the Lambda function's name.
IDEMPOTENCY_KEY_PREFIX = "demo/task.requested"


class DemoTaskSubmission:
    def __init__(self, settings: SubmissionSettings, aws: AwsClients, clock: Clock = system_clock) -> None:
        self.flow = FlowSubmitter(settings, aws, clock)
        self._window_seconds = settings.idempotency_window_seconds
        self._config = IdempotencyConfig(
            event_key_jmespath="[organization, task.taskId]",
            expires_after_seconds=settings.idempotency_window_seconds,
            response_hook=self._answer_for_duplicate,
        )
        persistence = DynamoDBPersistenceLayer(
            table_name=settings.idempotency_table, boto3_client=aws.client("dynamodb")
        )
        self._submit_once = idempotent_function(
            data_keyword_argument="request",
            config=self._config,
            persistence_store=persistence,
            key_prefix=IDEMPOTENCY_KEY_PREFIX,
        )(self._queue)

    def submit(
        self, request: DemoTaskRequested, organization: str | None, context: LambdaContext | None = None
    ) -> TaskAccepted:
        """Queue a run of `request` for `organization` (None: a producer on the queue that named none)."""
        submission = {"organization": organization, "task": request.to_event(), "force": request.force}
        if request.force:
            accepted = self._queue(request=submission)
        else:
            if context is not None:
                self._config.register_lambda_context(context)
            accepted = self._submit_once(request=submission)
        answer = TaskAccepted.model_validate(accepted)
        if not answer.duplicate:
            self.flow.request_dispatch(f"submitted {answer.task_id}")
        return answer

    def replay(self, task_id: str) -> TaskAccepted:
        """Queue the FAILED run of `task_id` again (TaskNotFound, NotReplayable otherwise)."""
        queued = self.flow.queue_replay(task_id)
        self.flow.request_dispatch(f"replay of {task_id}")
        return _accepted(queued)

    def _queue(self, request: dict[str, Any]) -> dict[str, Any]:
        task = request["task"]
        dedupe = None if request["force"] else self._window_seconds
        queued = self.flow.queue_new_run(task, int(task.get("priority", 0)), request["organization"], dedupe)
        return _accepted(queued).model_dump(mode="json")

    def _answer_for_duplicate(self, response: dict[str, Any], _record: DataRecord) -> dict[str, Any]:
        """The stored answer of the first submission, marked duplicate, with the run's status now."""
        current = self.flow.store.get_task(response["taskId"])
        return {**response, "duplicate": True, "status": current.status if current else response.get("status")}


def _accepted(queued: QueuedRun) -> TaskAccepted:
    return TaskAccepted(
        task_id=queued.task_id,
        run=queued.run,
        replay=queued.replay,
        execution_name=queued.execution_name,
        status=queued.status,
        duplicate=queued.duplicate,
    )
