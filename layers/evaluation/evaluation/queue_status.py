"""The evaluation queue as an operator sees it: per job type, jobs by state with pg-boss's
names, and whether it is paused; pausing and resuming all of it.

    state      what it counts                                             from
    created    waiting for a first attempt: in a run's plan (not          the unreleased count
               released yet) or PENDING in the queue, never tried          + PENDING - retry
    retry      PENDING after a failed attempt, waiting for the next       the jobs table (PENDING jobs)
    active     RUNNING                                                    the job counters
    completed  COMPLETED                                                  the job counters
    cancelled  CANCELLED, or cancelled before it was released             the job counters + the
                                                                          cancelled-unreleased count
    failed     FAILED                                                     the job counters
    total      their sum

Pausing is the job engine's (`conveyor.jobs.consumers`): the worker's event source
mappings are disabled, so no job of any type starts, on AWS as locally; jobs keep
arriving and wait. Resuming enables them and the queues drain. Both are idempotent.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from pydantic import Field

from conveyor.core.models import ApiModel
from conveyor.jobs.consumers import QueueConsumers
from conveyor.jobs.service import JobService
from conveyor.jobs.status import JobStatus
from evaluation.catalog import JobType
from evaluation.runs.store import RunStore

STATES = ("created", "retry", "active", "completed", "cancelled", "failed")


class JobCounts(ApiModel):
    created: int = 0
    retry: int = 0
    active: int = 0
    completed: int = 0
    cancelled: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, state) for state in STATES)


class JobTypeStatus(JobCounts):
    job_type: str
    queue: str
    paused: bool
    consumer_state: str = Field(description="its event source mapping's state (Enabled, Disabled, ...)")


class QueueStatus(JobCounts):
    paused: bool = Field(description="every job type's consumer is disabled (or disabling)")
    job_types: list[JobTypeStatus]


class EvaluationQueue:
    def __init__(self, jobs: JobService, jobs_table: Any, runs: RunStore, consumers: QueueConsumers) -> None:
        self._jobs = jobs
        self._jobs_table = jobs_table
        self._runs = runs
        self._consumers = consumers

    def status(self) -> QueueStatus:
        queues = {str(job_type): self._jobs.registry.queue_of(str(job_type)) for job_type in JobType}
        counts = self._jobs.store.counters.by_queue(queues.values())
        retrying = self._retrying()
        consumers = self._consumers.consumers()
        types = []
        for job_type, queue in queues.items():
            jobs = counts[queue]
            unreleased = self._runs.unreleased(queue)
            retry = retrying.get(job_type, 0)
            consumer = consumers.get(queue)
            types.append(
                JobTypeStatus(
                    job_type=job_type,
                    queue=self._jobs.queues.name(queue),
                    paused=consumer.paused if consumer else True,
                    consumer_state=consumer.state if consumer else "missing",
                    created=unreleased.planned + max(0, jobs[JobStatus.PENDING] - retry),
                    retry=retry,
                    active=jobs[JobStatus.RUNNING],
                    completed=jobs[JobStatus.COMPLETED],
                    cancelled=jobs[JobStatus.CANCELLED] + unreleased.cancelled,
                    failed=jobs[JobStatus.FAILED],
                )
            )
        totals = {state: sum(getattr(t, state) for t in types) for state in STATES}
        return QueueStatus(paused=all(t.paused for t in types), job_types=types, **totals)

    def pause(self) -> QueueStatus:
        self._consumers.pause()
        return self.status()

    def resume(self) -> QueueStatus:
        self._consumers.resume()
        return self.status()

    def _retrying(self) -> dict[str, int]:
        """PENDING evaluation jobs that have failed an attempt, by type (few: the release window)."""
        query: dict[str, Any] = {
            "IndexName": "byStatus",
            "KeyConditionExpression": Key("status").eq(JobStatus.PENDING.value),
            "FilterExpression": Attr("type").is_in([str(t) for t in JobType]) & Attr("attempts").gt(0),
            "ProjectionExpression": "#type",
            "ExpressionAttributeNames": {"#type": "type"},
        }
        found: dict[str, int] = {}
        while True:
            response = self._jobs_table.query(**query)
            for item in response["Items"]:
                found[item["type"]] = found.get(item["type"], 0) + 1
            if "LastEvaluatedKey" not in response:
                return found
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
