"""One delivery of an evaluation job: the run decides whether it may start, the job engine
runs it, and its end is counted in the run exactly once.

    message -> the job's run (its id is in the job's id: runs.plan.JobRef)
      run PENDING or RUNNING  -> (PENDING: the run is RUNNING now) -> the engine's rule
                                 (conveyor.jobs.worker) -> COMPLETED or FAILED: counted
      run PAUSED, job PENDING -> not started: a probe not yet tried goes back to the run's plan
                                 (withdrawn; released again after resume, first); any other job
                                 waits: its message comes back in EVALUATION_HOLD_SECONDS
      run CANCELLED, job PENDING -> withdrawn and counted as cancelled: it never runs
      anything else           -> the engine's rule (it skips what is not its to run)

The run's status is read with each delivery, consistently, just before the engine starts
the job: a job whose delivery reads PAUSED never starts. (A delivery that read the run a
moment before the pause was written may still start its job; that job counts as started
before the pause.)

Counting an ended probe (`RunStore.count`) is conditional on the task not being counted,
so a delivery repeated after a worker died between the job's end and its count counts it
then, and never twice. A completed probe's analyses are created before it is counted, so a
repeat creates the ones missing. Each batch ends by asking the dispatcher for a pass
(`Wakeups`): capacity was freed, and the runs it touched may be complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from conveyor.core.dynamo import TransactionCancelled
from conveyor.jobs.bulk import BulkJobs
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.service import JobService
from conveyor.jobs.status import JobStatus
from conveyor.jobs.worker import JobWorker, Outcome, RetryScheduled
from evaluation.definitions import AnalysisKind
from evaluation.runs.plan import JobRef, analysis_jobs
from evaluation.runs.status import RunStatus
from evaluation.runs.store import RunStore
from evaluation.runs.tasks import TaskLog
from evaluation.wakeups import Wakeups

logger = Logger(child=True)


@dataclass(frozen=True)
class RunView:
    """What a delivery reads of its run (`RunStore.gate`)."""

    id: str
    status: RunStatus
    organization_id: str
    model_count: int
    analyses: list[AnalysisKind]

    @classmethod
    def of(cls, run_id: str, item: dict) -> RunView:
        return cls(
            id=run_id,
            status=RunStatus(item["status"]),
            organization_id=str(item["organizationId"]),
            model_count=len(item["models"]),
            analyses=[AnalysisKind(kind) for kind in item["definition"].get("analyses", [])],
        )


@dataclass
class EvaluationDeliveries:
    jobs: JobService
    rule: JobWorker
    runs: RunStore
    tasks: TaskLog
    bulk: BulkJobs
    wakeups: Wakeups
    hold_seconds: int
    _touched: set[str] = field(default_factory=set)  # runs whose jobs ended or moved in this batch

    def handle(self, record: SQSRecord) -> str:
        """The outcome: one of the engine's (`Outcome`), or WITHDRAWN / HELD."""
        ref = _ref(record)
        item = self.runs.gate(ref.run_id) if ref else None
        if ref is None or item is None:
            return self.rule.handle(record)  # not an evaluation job message: the engine rejects it
        run = RunView.of(ref.run_id, item)
        if run.status in (RunStatus.PAUSED, RunStatus.CANCELLED):
            held = self._not_now(record, ref, run)
            if held is not None:
                self._touched.add(run.id)
                return held
        elif run.status == RunStatus.PENDING:
            self.runs.start(run.id, run.organization_id)
        try:
            outcome = self.rule.handle(record)
        except RetryScheduled:
            if ref.analysis is None:
                self.tasks.note_retry(run.id, ref.index)
            raise
        if ref.analysis is None and outcome in _MAY_HAVE_ENDED:
            self._ended(ref, run, outcome)
        return outcome

    def end_batch(self) -> None:
        """Ask for a dispatcher pass: capacity was freed, runs may be complete."""
        self.wakeups.request("jobs ended", self._touched)
        self._touched.clear()

    def _not_now(self, record: SQSRecord, ref: JobRef, run: RunView) -> str | None:
        """Keep a PENDING job of a paused or cancelled run from starting; None when the job is
        not PENDING (the engine's rule decides what to do with the delivery)."""
        job = self.jobs.store.get(_job_id(record))
        if job is None or job.status != JobStatus.PENDING:
            return None
        if run.status == RunStatus.PAUSED and (ref.analysis is not None or job.attempts > 0):
            self.jobs.queues.send(job.queue, JobMessage.of(job), self.hold_seconds)
            return HELD
        tx = self.runs.transaction()
        self.bulk.add_withdrawal(tx, [job])
        if run.status == RunStatus.PAUSED:
            self.runs.add_hand_back(tx, run.id, ref.index)
        else:
            self.runs.add_cancelled(tx, job.queue)
        try:
            tx.commit()
        except TransactionCancelled:
            return None  # the job started, or the run changed meanwhile: look again through the engine
        logger.info("job not started", extra={"jobId": job.id, "run": run.id, "runStatus": run.status})
        return WITHDRAWN

    def _ended(self, ref: JobRef, run: RunView, outcome: str) -> None:
        """Count an ended probe (once), after creating its analyses. A skipped or discarded
        delivery may be the repeat of one whose count was lost: its job says."""
        status = {Outcome.COMPLETED: JobStatus.COMPLETED, Outcome.FAILED: JobStatus.FAILED}.get(outcome)
        if status is None:
            job = self.jobs.store.get(ref.probe_job_id)
            status = job.status if job else None
        if status not in (JobStatus.COMPLETED, JobStatus.FAILED):
            return
        if status == JobStatus.COMPLETED:
            for new in analysis_jobs(run.id, run.organization_id, ref.probe_job_id, run.analyses):
                self.jobs.submit(new)  # a repeat finds the job there: nothing is queued twice
        counted = "completed" if status == JobStatus.COMPLETED else "failed"
        self.runs.count(run.id, ref.index, ref.index % run.model_count, counted)
        self._touched.add(run.id)


_MAY_HAVE_ENDED = {Outcome.COMPLETED, Outcome.FAILED, Outcome.SKIPPED, Outcome.DISCARDED}
WITHDRAWN = "WITHDRAWN"  # handed back to the run's plan (paused) or cancelled where it waited
HELD = "HELD"  # a paused run's job, looked at again after EVALUATION_HOLD_SECONDS


def _job_id(record: SQSRecord) -> str:
    return JobMessage.model_validate_json(record.body).job_id


def _ref(record: SQSRecord) -> JobRef | None:
    try:
        return JobRef.parse(_job_id(record))
    except ValidationError:
        return None
