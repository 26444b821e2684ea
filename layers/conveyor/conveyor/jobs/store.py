"""Job records in DynamoDB, and the counters that move with them.

One table, three kinds of item (`id` is the key):

    id               what
    <job id>         the job: type, queue, organizationId, status, payload, result, error, attempts...
    stats#<queue>    how many jobs of the queue are in each status
    org#<org id>     how many jobs of the organization are RUNNING

Every status change is one transaction: the job's conditional update (it must
still be in the status and delivery the caller saw) together with the counters
it moves. So the counters are exact, a stale worker cannot overwrite a newer
state, and the per-organization limit is a condition on the org counter.
Payloads and results are stored as JSON text, so they come back exactly.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, Key
from botocore.exceptions import ClientError

from conveyor.jobs.catalog import QUEUE_OF, JobStatus, JobType, QueueName
from conveyor.jobs.records import Job, now_iso

LIST_KEY = "JOB"  # every job carries it, so the byCreated index lists them all, newest first
_FINAL_STATUSES = (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)


class StartResult(StrEnum):
    STARTED = "STARTED"
    ORG_BUSY = "ORG_BUSY"  # the organization has its limit of RUNNING jobs
    GONE = "GONE"  # the job is no longer PENDING at this delivery


class NotAllowed(Exception):
    """The job's status does not allow the change (cancel a finished job, retry a completed one)."""

    def __init__(self, job: Job, action: str) -> None:
        super().__init__(f"cannot {action} job {job.id}: it is {job.status.value}")
        self.job = job


@dataclass(frozen=True)
class NewJob:
    id: str
    type: JobType
    organization_id: str
    payload: dict[str, Any]
    schedule_id: str | None = None

    @property
    def queue(self) -> QueueName:
        return QUEUE_OF[self.type]


@dataclass(frozen=True)
class JobFilter:
    status: JobStatus | None = None
    type: JobType | None = None
    organization_id: str | None = None
    queue: QueueName | None = None


class JobStore:
    def __init__(self, table: Any, org_running_limit: int) -> None:
        self._table = table
        self._client = table.meta.client
        self._org_limit = org_running_limit

    # -- create and read ---------------------------------------------------------------

    def create(self, new: NewJob) -> bool:
        """Record a PENDING job; False when a job with this id already exists."""
        item = {
            "id": new.id,
            "listKey": LIST_KEY,
            "type": new.type.value,
            "queue": new.queue.value,
            "organizationId": new.organization_id,
            "status": JobStatus.PENDING.value,
            "payloadJson": json.dumps(new.payload),
            "attempts": 0,
            "delivery": 1,
            "createdAt": now_iso(),
            "history": [],
        }
        if new.schedule_id:
            item["scheduleId"] = new.schedule_id
        put = {
            "Put": {
                "TableName": self._table.name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(#id)",
                "ExpressionAttributeNames": {"#id": "id"},
            }
        }
        try:
            self._transact([put, self._count(new.queue, None, JobStatus.PENDING)])
        except _Cancelled as cancelled:
            if cancelled.failed(0):
                return False
            raise
        return True

    def withdraw(self, job: Job) -> None:
        """Remove a job whose message could not be sent: nothing half-written stays behind."""
        delete = {
            "Delete": {
                "TableName": self._table.name,
                "Key": {"id": job.id},
                "ConditionExpression": "#status = :pending AND #delivery = :delivery",
                "ExpressionAttributeNames": {"#status": "status", "#delivery": "delivery"},
                "ExpressionAttributeValues": {":pending": JobStatus.PENDING.value, ":delivery": job.delivery},
            }
        }
        self._transact([delete, self._count(job.queue, JobStatus.PENDING, None)])

    def get(self, job_id: str) -> Job | None:
        item = self._table.get_item(Key={"id": job_id}, ConsistentRead=True).get("Item")
        return Job.from_item(item) if item and "listKey" in item else None

    # -- a worker's attempt --------------------------------------------------------------

    def start(self, job: Job) -> StartResult:
        """PENDING -> RUNNING, taking one of the organization's slots."""
        if job.status != JobStatus.PENDING:
            return StartResult.GONE
        now = now_iso()
        org = {
            "Update": {
                "TableName": self._table.name,
                "Key": {"id": f"org#{job.organization_id}"},
                "UpdateExpression": "ADD #running :one",
                "ConditionExpression": "attribute_not_exists(#running) OR #running < :limit",
                "ExpressionAttributeNames": {"#running": "running"},
                "ExpressionAttributeValues": {":one": 1, ":limit": self._org_limit},
            }
        }
        try:
            self._transition(
                job,
                JobStatus.RUNNING,
                set_values={"startedAt": now, "heartbeatMs": _now_ms()},
                add={"attempts": 1},
                remove=("finishedAt",),
                extra=[org],
                org_delta=0,
            )
        except _Cancelled as cancelled:
            if cancelled.failed(0):
                return StartResult.GONE
            if cancelled.failed(2):
                return StartResult.ORG_BUSY
            raise
        return StartResult.STARTED

    def heartbeat(self, job: Job) -> bool:
        """The attempt is alive: push its lock forward. False when it was cancelled or taken over."""
        try:
            self._table.update_item(
                Key={"id": job.id},
                UpdateExpression="SET #heartbeatMs = :now",
                ConditionExpression=Attr("status").eq(JobStatus.RUNNING.value) & Attr("delivery").eq(job.delivery),
                ExpressionAttributeNames={"#heartbeatMs": "heartbeatMs"},
                ExpressionAttributeValues={":now": _now_ms()},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def complete(self, job: Job, result: Any) -> bool:
        """RUNNING -> COMPLETED. False when the job changed meanwhile (cancelled): the result is discarded."""
        _expect_running(job)
        return self._finish_attempt(job, JobStatus.COMPLETED, {"resultJson": json.dumps(result)}, "completed")

    def retry_later(self, job: Job, error: dict[str, str], delay_seconds: int) -> bool:
        """RUNNING -> PENDING: the attempt failed and the next one comes after `delay_seconds`."""
        _expect_running(job)
        values = {"error": error, "nextAttemptMs": _now_ms() + delay_seconds * 1000}
        return self._finish_attempt(job, JobStatus.PENDING, values, "failed", error, delay_seconds)

    def fail(self, job: Job, error: dict[str, str], outcome: str = "failed") -> bool:
        """-> FAILED, from PENDING (the payload is invalid) or RUNNING (last attempt failed)."""
        return self._finish_attempt(job, JobStatus.FAILED, {"error": error}, outcome, error)

    def release_stalled(self, job: Job, new_delivery: bool) -> bool:
        """RUNNING with an expired lock -> PENDING; the stalled attempt counts as failed.
        With `new_delivery` the caller sends a new message and older ones are ignored."""
        _expect_running(job)
        error = {"type": "Stalled", "message": f"attempt {job.attempts} stopped making progress"}
        return self._finish_attempt(
            job,
            JobStatus.PENDING,
            {"error": error},
            "stalled",
            error,
            add={"stalls": 1, **({"delivery": 1} if new_delivery else {})},
            expect={"heartbeatMs": job.heartbeat_ms},
        )

    def _finish_attempt(
        self,
        job: Job,
        to: JobStatus,
        values: dict[str, Any],
        outcome: str,
        error: dict[str, str] | None = None,
        retry_in: int | None = None,
        add: dict[str, int] | None = None,
        expect: dict[str, Any] | None = None,
    ) -> bool:
        entry: dict[str, Any] = {"attempt": job.attempts, "outcome": outcome, "finishedAt": now_iso()}
        if job.status == JobStatus.RUNNING and job.started_at:
            entry["startedAt"] = job.started_at
        if error:
            entry["error"] = error
        if retry_in is not None:
            entry["retryInSeconds"] = retry_in
        final = to in _FINAL_STATUSES
        try:
            self._transition(
                job,
                to,
                set_values={**values, **({"finishedAt": entry["finishedAt"]} if final else {})},
                remove=("heartbeatMs",),
                add=add,
                history=entry,
                org_delta=-1 if job.status == JobStatus.RUNNING else 0,
                expect=expect,
            )
        except _Cancelled as cancelled:
            if cancelled.failed(0):
                return False
            raise
        return True

    # -- what people ask for -------------------------------------------------------------

    def cancel(self, job_id: str) -> Job:
        """PENDING or RUNNING -> CANCELLED; a RUNNING job's slot is freed at once."""
        for _ in range(5):  # the job may move on between the read and the write
            job = self._existing(job_id)
            if not job.active:
                raise NotAllowed(job, "cancel")
            try:
                self._transition(
                    job,
                    JobStatus.CANCELLED,
                    set_values={"finishedAt": now_iso(), "cancelledAt": now_iso()},
                    remove=("heartbeatMs",),
                    org_delta=-1 if job.status == JobStatus.RUNNING else 0,
                )
            except _Cancelled as cancelled:
                if cancelled.failed(0):
                    continue
                raise
            return self._existing(job_id)
        raise RuntimeError(f"job {job_id} kept changing while it was being cancelled")

    def requeue(self, job: Job) -> Job:
        """Back to PENDING with fresh attempts and a new delivery (a retry); the caller sends it."""
        try:
            self._transition(
                job,
                JobStatus.PENDING,
                add={"delivery": 1, "retries": 1},
                set_values={"attempts": 0},
                remove=("error", "resultJson", "startedAt", "finishedAt", "heartbeatMs", "nextAttemptMs"),
                org_delta=-1 if job.status == JobStatus.RUNNING else 0,
            )
        except _Cancelled as cancelled:
            if cancelled.failed(0):
                raise NotAllowed(self._existing(job.id), "retry") from None
            raise
        return self._existing(job.id)

    def record_skip(self, job: Job, reason: str) -> None:
        """A delivery that was not run (cancelled, finished, superseded): kept for whoever wonders why."""
        self._table.update_item(
            Key={"id": job.id},
            UpdateExpression="ADD #skipped :one SET #reason = :reason",
            ConditionExpression="attribute_exists(#id)",
            ExpressionAttributeNames={"#skipped": "skipped", "#reason": "lastSkipReason", "#id": "id"},
            ExpressionAttributeValues={":one": 1, ":reason": reason},
        )

    # -- lists and counts ----------------------------------------------------------------

    def list(self, filters: JobFilter, limit: int, cursor: dict[str, Any] | None) -> tuple[list[Job], dict | None]:
        """Newest first. The cursor is the key of the last job returned (None: no more)."""
        index, key_name, key_value, remaining = _index_for(filters)
        query: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": Key(key_name).eq(key_value),
            "ScanIndexForward": False,
        }
        condition = _filter_condition(remaining)
        if condition is not None:
            query["FilterExpression"] = condition
        if cursor:
            query["ExclusiveStartKey"] = cursor
        jobs: list[Job] = []
        while len(jobs) < limit:
            page = self._table.query(**query, Limit=limit - len(jobs))
            jobs.extend(Job.from_item(item) for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                return jobs, None
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        last = jobs[-1]
        next_cursor = {"id": last.id, "createdAt": last.created_at, key_name: key_value}
        return jobs, next_cursor

    def running_jobs(self) -> list[Job]:
        jobs, cursor = [], None
        while True:
            page, cursor = self.list(JobFilter(status=JobStatus.RUNNING), 100, cursor)
            jobs.extend(page)
            if cursor is None:
                return jobs

    def counts(self) -> dict[QueueName, dict[JobStatus, int]]:
        keys = [{"id": f"stats#{queue.value}"} for queue in QueueName]
        response = self._client.batch_get_item(RequestItems={self._table.name: {"Keys": keys, "ConsistentRead": True}})
        items = {item["id"]: item for item in response["Responses"].get(self._table.name, [])}
        return {
            queue: {
                status: max(int(items.get(f"stats#{queue.value}", {}).get(status.value, 0)), 0) for status in JobStatus
            }
            for queue in QueueName
        }

    def org_running(self, organization_id: str) -> int:
        item = self._table.get_item(Key={"id": f"org#{organization_id}"}, ConsistentRead=True).get("Item") or {}
        return int(item.get("running", 0))

    def ping(self) -> None:
        self._table.meta.client.describe_table(TableName=self._table.name)

    # -- the mechanics -------------------------------------------------------------------

    def _existing(self, job_id: str) -> Job:
        job = self.get(job_id)
        if job is None:
            raise KeyError(job_id)
        return job

    def _transition(
        self,
        job: Job,
        to: JobStatus,
        set_values: dict[str, Any] | None = None,
        add: dict[str, int] | None = None,
        remove: tuple[str, ...] = (),
        history: dict[str, Any] | None = None,
        extra: list[dict[str, Any]] | None = None,
        org_delta: int = 0,
        expect: dict[str, Any] | None = None,
    ) -> None:
        """One transaction: the job (still in `job.status` at `job.delivery`, and with the
        `expect`ed values) moves to `to`; the queue's status counts follow; `org_delta`
        moves the organization's RUNNING count."""
        values = {"status": to.value, **(set_values or {})}
        names = {f"#{name}": name for name in [*values, *(add or {}), *remove, "delivery"]}
        expression_values = {f":{name}": value for name, value in values.items()}
        parts = ["SET " + ", ".join(f"#{name} = :{name}" for name in values)]
        if history is not None:
            names["#history"] = "history"
            expression_values[":entry"] = [history]
            expression_values[":none"] = []
            parts[0] += ", #history = list_append(if_not_exists(#history, :none), :entry)"
        if add:
            parts.append("ADD " + ", ".join(f"#{name} :add_{name}" for name in add))
            expression_values.update({f":add_{name}": amount for name, amount in add.items()})
        if remove:
            parts.append("REMOVE " + ", ".join(f"#{name}" for name in remove))
        names["#status"] = "status"
        expression_values[":from"] = job.status.value
        expression_values[":delivery"] = job.delivery
        condition_expression = "#status = :from AND #delivery = :delivery"
        for attribute, value in (expect or {}).items():
            names[f"#{attribute}"] = attribute
            expression_values[f":expect_{attribute}"] = value
            condition_expression += f" AND #{attribute} = :expect_{attribute}"
        update = {
            "Update": {
                "TableName": self._table.name,
                "Key": {"id": job.id},
                "UpdateExpression": " ".join(parts),
                "ConditionExpression": condition_expression,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": expression_values,
            }
        }
        items = [update, self._count(job.queue, job.status, to), *(extra or [])]
        if org_delta:
            items.append(self._org_count(job.organization_id, org_delta))
        self._transact(items)

    def _count(self, queue: QueueName, leaves: JobStatus | None, enters: JobStatus | None) -> dict[str, Any]:
        deltas = {status.value: delta for status, delta in ((leaves, -1), (enters, 1)) if status is not None}
        return {
            "Update": {
                "TableName": self._table.name,
                "Key": {"id": f"stats#{queue.value}"},
                "UpdateExpression": "ADD " + ", ".join(f"#{status} :{status}" for status in deltas),
                "ExpressionAttributeNames": {f"#{status}": status for status in deltas},
                "ExpressionAttributeValues": {f":{status}": delta for status, delta in deltas.items()},
            }
        }

    def _org_count(self, organization_id: str, delta: int) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table.name,
                "Key": {"id": f"org#{organization_id}"},
                "UpdateExpression": "ADD #running :delta",
                "ExpressionAttributeNames": {"#running": "running"},
                "ExpressionAttributeValues": {":delta": delta},
            }
        }

    def _transact(self, items: list[dict[str, Any]]) -> None:
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                raise _Cancelled(error.response.get("CancellationReasons", [])) from error
            raise


class _Cancelled(Exception):
    """A transaction was cancelled; `failed(i)` says whether item i's condition failed."""

    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__(reasons)
        self.reasons = reasons

    def failed(self, index: int) -> bool:
        return index < len(self.reasons) and self.reasons[index].get("Code") == "ConditionalCheckFailed"


def _index_for(filters: JobFilter) -> tuple[str, str, str, JobFilter]:
    """The index that narrows the list most; what it does not cover stays as a filter."""
    if filters.organization_id:
        rest = JobFilter(status=filters.status, type=filters.type, queue=filters.queue)
        return "byOrganization", "organizationId", filters.organization_id, rest
    if filters.status:
        return "byStatus", "status", filters.status.value, JobFilter(type=filters.type, queue=filters.queue)
    if filters.type:
        return "byType", "type", filters.type.value, JobFilter(queue=filters.queue)
    return "byCreated", "listKey", LIST_KEY, JobFilter(queue=filters.queue)


def _filter_condition(filters: JobFilter) -> ConditionBase | None:
    conditions = [
        Attr(name).eq(value.value)
        for name, value in (("status", filters.status), ("type", filters.type), ("queue", filters.queue))
        if value is not None
    ]
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined


def _expect_running(job: Job) -> None:
    if job.status != JobStatus.RUNNING:
        raise ValueError(f"job {job.id} is {job.status.value}: only a RUNNING attempt can finish")


def _now_ms() -> int:
    return int(time.time() * 1000)
