"""Listing jobs, newest first, through the index that narrows the list most.

    filter given       index            key                 what stays a filter
    organizationId     byOrganization   organizationId      status, type, queue
    status             byStatus         status              type, queue
    type               byType           type                queue
    (none)             byCreated        listKey = JOB       queue

Every index sorts by `createdAt`. A page ends with `nextToken`, the index key to
continue after (`conveyor.core.pagination`): a token is only taken back by a listing
through the same index and key value.

`owed` lists the PENDING jobs whose message has been owed since before a time (the
outbox's overdue ones), through byStatus with a filter: it reads every PENDING job.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, Key

from conveyor.core.pagination import PageTokens
from conveyor.jobs.records import LIST_KEY, OWED, Job, OwedBatch
from conveyor.jobs.status import JobStatus


@dataclass(frozen=True)
class JobFilter:
    status: JobStatus | None = None
    type: str | None = None
    organization_id: str | None = None
    queue: str | None = None


@dataclass(frozen=True)
class _Plan:
    index: str
    key: str
    value: str
    filters: JobFilter  # what the index does not narrow

    @property
    def tokens(self) -> PageTokens:
        return PageTokens("id", "createdAt", self.key)


def _plan(filters: JobFilter) -> _Plan:
    if filters.organization_id:
        rest = JobFilter(status=filters.status, type=filters.type, queue=filters.queue)
        return _Plan("byOrganization", "organizationId", filters.organization_id, rest)
    if filters.status:
        return _Plan("byStatus", "status", filters.status.value, JobFilter(type=filters.type, queue=filters.queue))
    if filters.type:
        return _Plan("byType", "type", filters.type, JobFilter(queue=filters.queue))
    return _Plan("byCreated", "listKey", LIST_KEY, JobFilter(queue=filters.queue))


def _condition(filters: JobFilter) -> ConditionBase | None:
    values = (("status", filters.status), ("type", filters.type), ("queue", filters.queue))
    conditions = [Attr(name).eq(str(value)) for name, value in values if value is not None]
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined


class JobListing:
    def __init__(self, table: Any) -> None:
        self._table = table

    def page(self, filters: JobFilter, limit: int, next_token: str | None = None) -> tuple[list[Job], str | None]:
        """Up to `limit` jobs, newest first, and the token of the next page (None: no more).
        A token this listing did not hand out is an InvalidRequest naming nextToken."""
        plan = _plan(filters)
        start = plan.tokens.decode(next_token, fixed={plan.key: plan.value})
        query: dict[str, Any] = {
            "IndexName": plan.index,
            "KeyConditionExpression": Key(plan.key).eq(plan.value),
            "ScanIndexForward": False,
        }
        condition = _condition(plan.filters)
        if condition is not None:
            query["FilterExpression"] = condition
        if start:
            query["ExclusiveStartKey"] = start
        jobs: list[Job] = []
        while True:
            # A filter drops items after Limit counted them: query on until the page is full.
            response = self._table.query(**query, Limit=limit - len(jobs))
            jobs.extend(Job.from_item(item) for item in response["Items"])
            last = response.get("LastEvaluatedKey")
            if last is None or len(jobs) >= limit:
                return jobs, plan.tokens.encode(last)
            query["ExclusiveStartKey"] = last

    def every(self, filters: JobFilter) -> Iterator[Job]:
        token = None
        while True:
            jobs, token = self.page(filters, 100, token)
            yield from jobs
            if token is None:
                return

    def owed_batches(self, before: str | None = None) -> Iterator[OwedBatch]:
        """Batches of jobs created together (`bulk.create`) still owed messages (created before
        `before`, when it is given)."""
        key = Key("status").eq(OWED)
        query: dict[str, Any] = {
            "IndexName": "byStatus",
            "KeyConditionExpression": key if before is None else key & Key("createdAt").lt(before),
        }
        while True:
            response = self._table.query(**query)
            yield from (OwedBatch.from_item(item) for item in response["Items"])
            if "LastEvaluatedKey" not in response:
                return
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def owed(self, before_ms: int) -> Iterator[Job]:
        """PENDING jobs whose current message has been owed since before `before_ms`."""
        query: dict[str, Any] = {
            "IndexName": "byStatus",
            "KeyConditionExpression": Key("status").eq(JobStatus.PENDING.value),
            "FilterExpression": Attr("unsentSinceMs").lt(before_ms),
        }
        while True:
            response = self._table.query(**query)
            yield from (Job.from_item(item) for item in response["Items"])
            if "LastEvaluatedKey" not in response:
                return
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
