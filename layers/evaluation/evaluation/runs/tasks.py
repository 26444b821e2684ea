"""A run's tasks as people see them: newest first, each read back from its job record.

A task is one probe job of the run and the analyses of its transcript. The job records
(the job engine's) are the truth about status, attempts, errors and results; the run keeps
only an entry per task that has something to show (`run#<id>` / `task#<index>`), whose
`activityKey` (`<time>#<index>`) orders them in the table's `recent` index. An entry is
written when the task ends (with its count: `RunStore.count`) and when an attempt failed
and waits for its retry.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from boto3.dynamodb.conditions import Key
from pydantic import Field

from conveyor.core.clock import Clock, iso, parse_iso, system_clock
from conveyor.core.dynamo import Update
from conveyor.core.models import ApiModel
from conveyor.jobs.records import Job
from conveyor.jobs.status import JobStatus
from evaluation.definitions import AnalysisKind
from evaluation.providers.base import Transcript
from evaluation.retries import retryable
from evaluation.runs.plan import JobRef, analysis_job_id, probe_job_id

MAX_RECENT = 100


class TaskStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    RETRYING = "RETRYING"  # an attempt failed; the next one waits for its backoff
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @classmethod
    def of(cls, job: Job) -> TaskStatus:
        if job.status == JobStatus.PENDING and job.attempts > 0:
            return cls.RETRYING
        return cls(job.status.value)


class TaskError(ApiModel):
    type: str = Field(description="the failure's class (retries.py)")
    message: str
    retryable: bool


class Metric(ApiModel):
    name: str
    value: float


class TaskAnalysis(ApiModel):
    kind: AnalysisKind
    status: TaskStatus
    score: float | None = None
    metrics: list[Metric] = []
    error: TaskError | None = None


class TaskResult(ApiModel):
    id: str
    model: str
    scenario_id: str
    scenario_name: str
    status: TaskStatus
    attempts: int
    started_at: str | None = None
    finished_at: str | None = None
    duration_ms: int | None = None
    error: TaskError | None = None
    transcript: Transcript | None = None
    analyses: list[TaskAnalysis] = []


def task_key(run_id: str, index: int) -> dict[str, str]:
    return {"pk": f"run#{run_id}", "sk": f"task#{index:08d}"}


class TaskLog:
    def __init__(self, table: Any, jobs_table: Any, clock: Clock = system_clock) -> None:
        self._table = table
        self._jobs = jobs_table
        self._clock = clock

    def note_retry(self, run_id: str, index: int) -> None:
        """Job `index` failed an attempt and waits for the next: it shows among the recent tasks."""
        activity = {"taskRun": run_id, "activityKey": f"{iso(self._clock())}#{index:08d}"}
        self._table.update_item(Key=task_key(run_id, index), **Update(set=activity).request())

    def recent(self, run_id: str, analyses: Sequence[AnalysisKind], limit: int) -> list[TaskResult]:
        """Up to `limit` tasks of the run, the latest to end (or to wait for a retry) first."""
        response = self._table.query(
            IndexName="recent",
            KeyConditionExpression=Key("taskRun").eq(run_id),
            ScanIndexForward=False,
            Limit=max(1, min(limit, MAX_RECENT)),
        )
        indexes = [int(item["sk"].removeprefix("task#")) for item in response["Items"]]
        probe_ids = [probe_job_id(run_id, index) for index in indexes]
        analysis_ids = [analysis_job_id(probe, kind) for probe in probe_ids for kind in analyses]
        jobs = self._jobs_by_id([*probe_ids, *analysis_ids])
        results = []
        for probe in probe_ids:
            if probe in jobs:  # a task handed back by a pause has no job until it is released again
                kinds = [analysis_job_id(probe, kind) for kind in analyses]
                results.append(task_result(jobs[probe], [jobs[job_id] for job_id in kinds if job_id in jobs]))
        return results

    def _jobs_by_id(self, job_ids: Sequence[str]) -> dict[str, Job]:
        found: dict[str, Job] = {}
        for start in range(0, len(job_ids), 100):  # BatchGetItem takes 100 keys
            keys: list[dict[str, str]] = [{"id": job_id} for job_id in job_ids[start : start + 100]]
            while keys:
                response = self._jobs.meta.client.batch_get_item(
                    RequestItems={self._jobs.name: {"Keys": keys, "ConsistentRead": True}}
                )
                for item in response["Responses"].get(self._jobs.name, []):
                    found[item["id"]] = Job.from_item(item)
                keys = response.get("UnprocessedKeys", {}).get(self._jobs.name, {}).get("Keys", [])
        return found


def task_result(probe: Job, analyses: Sequence[Job]) -> TaskResult:
    scenario = probe.payload.get("scenario", {})
    transcript = Transcript.model_validate(probe.result) if probe.status == JobStatus.COMPLETED else None
    return TaskResult(
        id=probe.id,
        model=probe.payload.get("model", ""),
        scenario_id=scenario.get("id", ""),
        scenario_name=scenario.get("name", ""),
        status=TaskStatus.of(probe),
        attempts=probe.attempts,
        started_at=probe.started_at,
        finished_at=probe.finished_at,
        duration_ms=_duration_ms(probe, transcript),
        error=_error(probe),
        transcript=transcript,
        analyses=[_analysis(job) for job in analyses],
    )


def _duration_ms(job: Job, transcript: Transcript | None) -> int | None:
    if transcript is not None:
        return transcript.latency_ms
    if job.started_at and job.finished_at:
        return int((parse_iso(job.finished_at) - parse_iso(job.started_at)).total_seconds() * 1000)
    return None


def _error(job: Job) -> TaskError | None:
    if job.error is None or job.status == JobStatus.COMPLETED:
        return None
    return TaskError(type=job.error.type, message=job.error.message, retryable=retryable(job.error.type))


def _analysis(job: Job) -> TaskAnalysis:
    kind = (JobRef.parse(job.id) or JobRef("", 0, AnalysisKind.BASIC)).analysis or AnalysisKind.BASIC
    result = job.result if job.status == JobStatus.COMPLETED and isinstance(job.result, dict) else {}
    metrics = [Metric(name=name, value=float(value)) for name, value in (result.get("metrics") or {}).items()]
    return TaskAnalysis(
        kind=kind, status=TaskStatus.of(job), score=result.get("score"), metrics=metrics, error=_error(job)
    )
