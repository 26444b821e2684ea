"""Task and step records in DynamoDB.

One table, two kinds of item under the task's key:

    taskId  sk            what
    t-1     TASK          status, request, run number, execution, timings, result or error
    t-1     STEP#process  status of that step in the current run, attempts, result, error

Step results are stored as JSON text so they come back exactly as returned
(DynamoDB would turn every number into a Decimal). Every write is a single
conditional or atomic update: no read-modify-write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from conveyor.durable.errors import SupersededRunError
from conveyor.dynamo import transact_write

TASK_SK = "TASK"
STEP_PREFIX = "STEP#"


class StepAlreadySucceeded(Exception):
    """The step's success was already recorded in this run (by this or an earlier attempt)."""

    def __init__(self, record: StepRecord | None = None) -> None:
        super().__init__(record.name if record else "")
        self.record = record


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class StepRecord:
    name: str
    run: int
    status: str
    attempts: int
    result: Any

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"


class TaskStore:
    def __init__(self, table: Any) -> None:
        self._table = table

    # -- tasks ---------------------------------------------------------------

    def new_run_update(self, task_id: str, previous_run: int, task: dict[str, Any]) -> dict[str, Any]:
        """The transaction action that makes `previous_run + 1` the task's current run, QUEUED.

        It fails if another submission changed the run number since it was read."""
        return {
            "Update": {
                "TableName": self._table.name,
                "Key": {"taskId": task_id, "sk": TASK_SK},
                "UpdateExpression": (
                    "SET #status = :queued, #run = :run, #request = :request, submittedAt = :now, replays = :zero"
                    " REMOVE executionArn, startedAt, finishedAt, currentStep, #error, resultJson"
                ),
                "ConditionExpression": "attribute_not_exists(#run) OR #run = :previous",
                "ExpressionAttributeNames": {
                    "#status": "status",
                    "#run": "run",
                    "#request": "request",
                    "#error": "error",
                },
                "ExpressionAttributeValues": {
                    ":queued": "QUEUED",
                    ":run": previous_run + 1,
                    ":previous": previous_run,
                    ":request": task,
                    ":now": now_iso(),
                    ":zero": 0,
                },
            }
        }

    def replay_update(self, task_id: str, run: int, replays: int) -> dict[str, Any]:
        """The transaction action that queues replay `replays + 1` of FAILED `run`."""
        return {
            "Update": {
                "TableName": self._table.name,
                "Key": {"taskId": task_id, "sk": TASK_SK},
                "UpdateExpression": "SET #status = :queued, replays = :replay REMOVE finishedAt, currentStep, #error",
                "ConditionExpression": "#status = :failed AND #run = :run AND replays = :replays",
                "ExpressionAttributeNames": {"#status": "status", "#run": "run", "#error": "error"},
                "ExpressionAttributeValues": {
                    ":queued": "QUEUED",
                    ":failed": "FAILED",
                    ":run": run,
                    ":replays": replays,
                    ":replay": replays + 1,
                },
            }
        }

    def record_execution(self, task_id: str, run: int, execution_arn: str, started_at: str) -> None:
        """The Step Functions execution that carries `run`, started when the dispatcher admitted it.

        The task becomes RUNNING, unless the run already finished (it can be that fast)."""
        started = {"executionArn": execution_arn, "startedAt": started_at}
        if not self._update_task_of_run(task_id, run, {**started, "status": "RUNNING"}, only_if_queued=True):
            self._update_task_of_run(task_id, run, started)

    def record_succeeded(self, task_id: str, run: int, result: Any) -> None:
        self._finish(task_id, run, "SUCCEEDED", {"resultJson": json.dumps(result)})

    def record_failed(self, task_id: str, run: int, failed_step: str | None, error: dict[str, str]) -> None:
        self._finish(task_id, run, "FAILED", {"error": {"step": failed_step, **error} if failed_step else error})

    def _finish(self, task_id: str, run: int, status: str, outcome: dict[str, Any]) -> None:
        self._update_task_of_run(task_id, run, {"status": status, "finishedAt": now_iso(), **outcome})

    def _update_task_of_run(self, task_id: str, run: int, values: dict[str, Any], only_if_queued: bool = False) -> bool:
        """Set `values` on the task unless a newer run has replaced `run`; False if not set."""
        condition = "(attribute_not_exists(#run) OR #run = :run)"
        names = {"#run": "run", **{f"#{name}": name for name in values}}
        extra_values = {}
        if only_if_queued:
            condition += " AND #current = :queued"
            names["#current"] = "status"
            extra_values[":queued"] = "QUEUED"
        try:
            self._table.update_item(
                Key={"taskId": task_id, "sk": TASK_SK},
                UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in values),
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    ":run": run,
                    **extra_values,
                    **{f":{name}": value for name, value in values.items()},
                },
            )
        except ClientError as error:
            _unless_condition_failed(error)
            return False
        return True

    def query(self, **query: Any) -> dict[str, Any]:
        """A raw query of the table (its indexes included), for listings."""
        return self._table.query(**query)

    def get_task(self, task_id: str) -> dict[str, Any] | None:
        return self._table.get_item(Key={"taskId": task_id, "sk": TASK_SK}, ConsistentRead=True).get("Item")

    def current_step(self, task_id: str, run: int) -> str | None:
        """The step of `run` that started last."""
        return current_step(self.list_step_items(task_id), run)

    # -- steps ---------------------------------------------------------------

    def get_step(self, task_id: str, step: str) -> StepRecord | None:
        item = self._table.get_item(Key={"taskId": task_id, "sk": STEP_PREFIX + step}, ConsistentRead=True).get("Item")
        return _step_record(item) if item else None

    def list_step_items(self, task_id: str) -> list[dict[str, Any]]:
        response = self._table.query(
            KeyConditionExpression=Key("taskId").eq(task_id) & Key("sk").begins_with(STEP_PREFIX),
            ConsistentRead=True,
        )
        return response["Items"]

    def start_attempt(self, task_id: str, run: int, step: str) -> int:
        """Count one more attempt of `step` in `run` and return its number (the first is 1).

        Raises StepAlreadySucceeded (with the stored record) when the step already
        succeeded in this run, and SupersededRunError when a newer run owns it.
        Written for the common case: a step's first attempt is one write."""
        now = now_iso()
        key = {"taskId": task_id, "sk": STEP_PREFIX + step}
        names = {"#status": "status", "#run": "run", "#attempts": "attempts"}
        try:
            self._table.put_item(
                Item={
                    **key,
                    "run": run,
                    "status": "RUNNING",
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
            _unless_condition_failed(error)
        try:
            attributes = self._table.update_item(
                Key=key,
                UpdateExpression="SET #status = :running, lastStartedAt = :now ADD #attempts :one",
                ConditionExpression="#run = :run AND #status <> :succeeded",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    ":running": "RUNNING",
                    ":succeeded": "SUCCEEDED",
                    ":now": now,
                    ":one": 1,
                    ":run": run,
                },
                ReturnValues="UPDATED_NEW",
            )["Attributes"]
            return int(attributes["attempts"])
        except ClientError as error:
            _unless_condition_failed(error)
        record = self.get_step(task_id, step)
        if record is not None and record.run == run and record.succeeded:
            raise StepAlreadySucceeded(record)
        raise SupersededRunError(f"run {run} of {task_id} was replaced by a newer run")

    def step_succeeded(self, task_id: str, run: int, step: str, result: Any, effects: list[dict[str, Any]]) -> None:
        """Record the step's result and apply its effects, all or nothing, once.

        Raises StepAlreadySucceeded when an earlier attempt got there first (its
        worker died after committing), so the effects are never applied twice."""
        record = {
            "Update": {
                "TableName": self._table.name,
                "Key": {"taskId": task_id, "sk": STEP_PREFIX + step},
                "UpdateExpression": "SET #status = :succeeded, resultJson = :result, finishedAt = :now REMOVE #error",
                "ConditionExpression": "#run = :run AND #status <> :succeeded",
                "ExpressionAttributeNames": {"#status": "status", "#run": "run", "#error": "error"},
                "ExpressionAttributeValues": {
                    ":succeeded": "SUCCEEDED",
                    ":result": json.dumps(result),
                    ":now": now_iso(),
                    ":run": run,
                },
            }
        }
        try:
            transact_write([record, *effects])
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                raise StepAlreadySucceeded() from error
            raise

    def count_update(self, task_id: str, attribute: str) -> dict[str, Any]:
        """A transaction action adding 1 to the task's numeric `attribute`: a step effect."""
        return {
            "Update": {
                "TableName": self._table.name,
                "Key": {"taskId": task_id, "sk": TASK_SK},
                "UpdateExpression": "ADD #attribute :one",
                "ExpressionAttributeNames": {"#attribute": attribute},
                "ExpressionAttributeValues": {":one": 1},
            }
        }

    def step_failed(self, task_id: str, run: int, step: str, error: dict[str, str]) -> None:
        self._table.update_item(
            Key={"taskId": task_id, "sk": STEP_PREFIX + step},
            UpdateExpression="SET #status = :failed, #error = :error, finishedAt = :now",
            ConditionExpression="#run = :run",
            ExpressionAttributeNames={"#status": "status", "#run": "run", "#error": "error"},
            ExpressionAttributeValues={":failed": "FAILED", ":error": error, ":now": now_iso(), ":run": run},
        )

    def step_reused(self, task_id: str, step: str) -> None:
        """A replay took the stored result of `step` instead of running it."""
        self._table.update_item(
            Key={"taskId": task_id, "sk": STEP_PREFIX + step},
            UpdateExpression="ADD #reused :one",
            ExpressionAttributeNames={"#reused": "reused"},
            ExpressionAttributeValues={":one": 1},
        )


def current_step(step_items: list[dict[str, Any]], run: int) -> str | None:
    """Of a task's step items, the step of `run` that started last."""
    of_run = [item for item in step_items if int(item.get("run", 0)) == run and "lastStartedAt" in item]
    latest = max(of_run, key=lambda item: item["lastStartedAt"], default=None)
    return latest["sk"].removeprefix(STEP_PREFIX) if latest else None


def _unless_condition_failed(error: ClientError) -> None:
    """Re-raise anything but a failed condition: that one the caller handles."""
    if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
        raise error


def _step_record(item: dict[str, Any]) -> StepRecord:
    return StepRecord(
        name=item["sk"].removeprefix(STEP_PREFIX),
        run=int(item.get("run", 1)),
        status=item.get("status", "RUNNING"),
        attempts=int(item.get("attempts", 0)),
        result=json.loads(item["resultJson"]) if "resultJson" in item else None,
    )


def task_store() -> TaskStore:
    """The store of the table the template configured for this function."""
    from conveyor.aws import table
    from conveyor.settings import settings

    return TaskStore(table(settings().tasks_table))
