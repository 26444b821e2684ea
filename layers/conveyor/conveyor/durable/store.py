"""The durable engine's records in DynamoDB: tasks, their runs and their steps.

See `conveyor.durable.records` for the items. Writes that must go together (a run
queued with its place on the waiting list; a step's success with its effects) are
added to a `Transaction` that the caller commits once; every other write is a single
conditional or atomic update. Nothing is read, changed and written back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from conveyor.core.clock import Clock, iso, system_clock
from conveyor.core.dynamo import Condition, Transaction, TransactionCancelled, Update, condition_failed, old_item
from conveyor.core.errors import ErrorDetails, PermanentError
from conveyor.durable.records import STEP_PREFIX, TASK_SK, StepRecord, StepStatus, TaskRecord, TaskStatus

STATUS_INDEX = "byStatus"
STATUS_INDEX_KEY = ("taskId", "sk", "status", "submittedAt")


class StepAlreadySucceeded(Exception):
    """The step's success was already recorded in this run (by this or an earlier attempt)."""

    def __init__(self, record: StepRecord | None = None) -> None:
        super().__init__(record.name if record else "")
        self.record = record


class SupersededRun(PermanentError):
    """A newer run of the task started: this older one stops, and is not retried."""


class TaskStore:
    def __init__(self, table: Any, clock: Clock = system_clock) -> None:
        self._table = table
        self._clock = clock

    @property
    def table_name(self) -> str:
        return str(self._table.name)

    def transaction(self) -> Transaction:
        return Transaction(self._table.meta.client)

    # -- reading ------------------------------------------------------------------------

    def get_task(self, task_id: str) -> TaskRecord | None:
        item = self._table.get_item(Key=_task_key(task_id), ConsistentRead=True).get("Item")
        return TaskRecord.from_item(item) if item and "status" in item else None

    def get_tasks(self, task_ids: Iterable[str]) -> dict[str, TaskRecord]:
        """The tasks that exist among `task_ids`, by id: BatchGetItem, 100 keys a request."""
        wanted = list(dict.fromkeys(task_ids))
        found: dict[str, TaskRecord] = {}
        client, name = self._table.meta.client, self.table_name
        for start in range(0, len(wanted), 100):
            keys = [_task_key(task_id) for task_id in wanted[start : start + 100]]
            request: dict[str, Any] = {name: {"Keys": keys, "ConsistentRead": True}}
            while request:
                response = client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(name, []):
                    if "status" in item:
                        found[item["taskId"]] = TaskRecord.from_item(item)
                request = response.get("UnprocessedKeys") or {}
        return found

    def get_step(self, task_id: str, step: str) -> StepRecord | None:
        item = self._table.get_item(Key=_step_key(task_id, step), ConsistentRead=True).get("Item")
        return StepRecord.from_item(item) if item else None

    def steps(self, task_id: str) -> list[StepRecord]:
        """The task's steps, in the order they first ran."""
        response = self._table.query(
            KeyConditionExpression=Key("taskId").eq(task_id) & Key("sk").begins_with(STEP_PREFIX),
            ConsistentRead=True,
        )
        steps = [StepRecord.from_item(item) for item in response["Items"]]
        return sorted(steps, key=lambda step: step.first_started_at or "")

    def by_status(
        self, status: TaskStatus, limit: int, start_key: dict[str, Any] | None, organization: str | None = None
    ) -> tuple[list[TaskRecord], dict[str, Any] | None]:
        """A page of tasks in `status` (of `organization` only, when given), newest first, and
        the key to continue after. Filtered pages can hold fewer than `limit` tasks."""
        query: dict[str, Any] = {
            "IndexName": STATUS_INDEX,
            "KeyConditionExpression": Key("status").eq(status.value),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if organization is not None:
            query["FilterExpression"] = Attr("organization").eq(organization)
        if start_key:
            query["ExclusiveStartKey"] = start_key
        page = self._table.query(**query)
        return [TaskRecord.from_item(item) for item in page["Items"]], page.get("LastEvaluatedKey")

    # -- runs ---------------------------------------------------------------------------

    def queue_new_run(
        self, tx: Transaction, flow: str, task_id: str, previous_run: int, request: dict, organization: str | None
    ) -> int:
        """Add to `tx`: run `previous_run + 1` becomes the task's current run, QUEUED. Its
        condition fails if another submission changed the run number since it was read, or
        the task belongs to another organization."""
        update = Update(
            set={
                "flow": flow,
                "status": TaskStatus.QUEUED.value,
                "run": previous_run + 1,
                "request": request,
                "submittedAt": self._now(),
                "replays": 0,
            },
            set_if_absent={"counters": {}, **({"organization": organization} if organization else {})},
            remove=("executionArn", "startedAt", "finishedAt", "error", "resultJson"),
        )
        condition = Condition(
            "(attribute_not_exists(#run) OR #run = :previous) AND "
            + ("(attribute_not_exists(#org) OR #org = :org)" if organization else "attribute_not_exists(#org)"),
            {"#run": "run", "#org": "organization"},
            {":previous": previous_run, **({":org": organization} if organization else {})},
        )
        return tx.update(self.table_name, _task_key(task_id), update, condition)

    def queue_replay(self, tx: Transaction, task_id: str, run: int, replays: int) -> int:
        """Add to `tx`: replay `replays + 1` of FAILED `run` is QUEUED."""
        update = Update(
            set={"status": TaskStatus.QUEUED.value, "replays": replays + 1}, remove=("startedAt", "finishedAt", "error")
        )
        condition = Condition(
            "#status = :failed AND #run = :run AND replays = :replays",
            {"#status": "status", "#run": "run"},
            {":failed": TaskStatus.FAILED.value, ":run": run, ":replays": replays},
        )
        return tx.update(self.table_name, _task_key(task_id), update, condition)

    def register_run(self, flow: str | None, task_id: str, run: int, request: dict, execution_arn: str | None) -> None:
        """A run that reached its first step without being submitted (an execution started
        directly): the task record is created RUNNING. A submitted run has one already."""
        values: dict[str, Any] = {
            "status": TaskStatus.RUNNING.value,
            "run": run,
            "request": request,
            "replays": 0,
            "submittedAt": self._now(),
            "startedAt": self._now(),
            "counters": {},
        }
        if flow:
            values["flow"] = flow
        if execution_arn:
            values["executionArn"] = execution_arn
        self._table.update_item(Key=_task_key(task_id), **Update(set_if_absent=values).request())

    def record_execution(self, task_id: str, run: int, execution_arn: str, started_at: str) -> None:
        """The Step Functions execution that carries `run`, started at `started_at` (kept from
        the first time: a start repeated by a later dispatch does not move it). The task becomes
        RUNNING, unless the run already finished (it can be that fast)."""
        queued = Condition("#status = :queued", {"#status": "status"}, {":queued": TaskStatus.QUEUED.value})
        running = Update(
            set={"executionArn": execution_arn, "status": TaskStatus.RUNNING.value},
            set_if_absent={"startedAt": started_at},
        )
        if not self._update_run(task_id, run, running, queued):
            self._update_run(
                task_id, run, Update(set={"executionArn": execution_arn}, set_if_absent={"startedAt": started_at})
            )

    def record_succeeded(self, task_id: str, run: int, result: Any) -> bool:
        return self._finish(task_id, run, TaskStatus.SUCCEEDED, {"resultJson": json.dumps(result)})

    def record_failed(self, task_id: str, run: int, error: dict[str, Any]) -> bool:
        return self._finish(task_id, run, TaskStatus.FAILED, {"error": error})

    def record_interrupted(self, task_id: str, run: int, error: dict[str, Any]) -> bool:
        """`run` ended without reaching its last states (aborted, timed out): FAILED with `error`,
        unless it was recorded as finished already. False when nothing changed."""
        unfinished = Condition(
            "#status IN (:queued, :running)",
            {"#status": "status"},
            {":queued": TaskStatus.QUEUED.value, ":running": TaskStatus.RUNNING.value},
        )
        update = Update(set={"status": TaskStatus.FAILED.value, "finishedAt": self._now(), "error": error})
        return self._update_run(task_id, run, update, unfinished)

    def _finish(self, task_id: str, run: int, status: TaskStatus, outcome: dict[str, Any]) -> bool:
        return self._update_run(
            task_id, run, Update(set={"status": status.value, "finishedAt": self._now(), **outcome})
        )

    def _update_run(self, task_id: str, run: int, update: Update, condition: Condition | None = None) -> bool:
        """Apply `update` unless a newer run replaced `run`; False when not applied."""
        of_run = Condition("attribute_not_exists(#run) OR #run = :run", {"#run": "run"}, {":run": run})
        try:
            self._table.update_item(
                Key=_task_key(task_id), **update.request(of_run & condition if condition else of_run)
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
            return False
        return True

    # -- steps --------------------------------------------------------------------------

    def start_attempt(self, task_id: str, run: int, step: str) -> int:
        """Count one more attempt of `step` in `run` and return its number (the first is 1).

        Raises StepAlreadySucceeded (with the stored record) when the step already
        succeeded in this run, and SupersededRun when a newer run owns it. Written for
        the common case: a step's first attempt is one write."""
        now = self._now()
        key = _step_key(task_id, step)
        try:
            self._table.put_item(
                Item={
                    **key,
                    "run": run,
                    "status": StepStatus.RUNNING.value,
                    "attempts": 1,
                    "firstStartedAt": now,
                    "lastStartedAt": now,
                },
                ConditionExpression="attribute_not_exists(#run) OR #run < :run",
                ExpressionAttributeNames={"#run": "run"},
                ExpressionAttributeValues={":run": run},
            )
            return 1
        except ClientError as error:
            if not condition_failed(error):
                raise
        update = Update(set={"status": StepStatus.RUNNING.value, "lastStartedAt": now}, add={"attempts": 1})
        condition = Condition(
            "#run = :run AND #status <> :succeeded",
            {"#run": "run", "#status": "status"},
            {":run": run, ":succeeded": StepStatus.SUCCEEDED.value},
        )
        try:
            attributes = self._table.update_item(
                Key=key,
                **update.request(condition),
                ReturnValues="UPDATED_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )["Attributes"]
            return int(attributes["attempts"])
        except ClientError as error:
            if not condition_failed(error):
                raise
            old = old_item(error)
        record = StepRecord.from_item(old) if old else self.get_step(task_id, step)
        if record is not None and record.run == run and record.succeeded:
            raise StepAlreadySucceeded(record)
        raise SupersededRun(f"run {run} of {task_id} was replaced by a newer run")

    def step_succeeded(self, tx: Transaction, task_id: str, run: int, step: str, result: Any) -> int:
        """Add to `tx`: the step's result, recorded once. Its condition fails when an earlier
        attempt got there first (its worker died after committing): see `commit_step`."""
        update = Update(
            set={"status": StepStatus.SUCCEEDED.value, "resultJson": json.dumps(result), "finishedAt": self._now()},
            remove=("error",),
        )
        condition = Condition(
            "#run = :run AND #status <> :succeeded",
            {"#run": "run", "#status": "status"},
            {":run": run, ":succeeded": StepStatus.SUCCEEDED.value},
        )
        return tx.update(self.table_name, _step_key(task_id, step), update, condition)

    def count(self, tx: Transaction, task_id: str, counter: str) -> int:
        """Add to `tx`: one more of the task's `counter` (a step effect, applied with the step's success)."""
        return tx.update(self.table_name, _task_key(task_id), Update(add={f"counters.{counter}": 1}))

    def step_failed(self, task_id: str, run: int, step: str, error: ErrorDetails) -> None:
        update = Update(set={"status": StepStatus.FAILED.value, "error": dict(error), "finishedAt": self._now()})
        condition = Condition("#run = :run", {"#run": "run"}, {":run": run})
        try:
            self._table.update_item(Key=_step_key(task_id, step), **update.request(condition))
        except ClientError as error_:
            if not condition_failed(error_):
                raise  # a newer run owns the step: this attempt's failure is not its business

    def step_reused(self, task_id: str, step: str) -> None:
        """A replay took the stored result of `step` instead of running it."""
        self._table.update_item(Key=_step_key(task_id, step), **Update(add={"reused": 1}).request())

    def _now(self) -> str:
        return iso(self._clock())


def commit_step(tx: Transaction, success_index: int) -> None:
    """Commit a step's success with its effects; StepAlreadySucceeded when an earlier attempt
    committed first, so the effects are never applied twice."""
    try:
        tx.commit()
    except TransactionCancelled as cancelled:
        if cancelled.failed(success_index):
            raise StepAlreadySucceeded() from cancelled
        raise


def _task_key(task_id: str) -> dict[str, str]:
    return {"taskId": task_id, "sk": TASK_SK}


def _step_key(task_id: str, step: str) -> dict[str, str]:
    return {"taskId": task_id, "sk": STEP_PREFIX + step}
