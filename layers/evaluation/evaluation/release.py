"""A dispatcher pass: finish what a crashed pass left, complete the runs that ended, and
release probe jobs from the runs' plans, in priority order, while the queue has room.

    1. outbox    a release whose messages were not all sent (the pass died, SQS refused):
                 its jobs still PENDING and never tried are sent again (on a container's
                 first pass, after a pass whose sending failed, and on every sweep)
    2. complete  each run named by the pass's requests (or, on the sweep, every active run):
                 COMPLETED when nothing remains
    3. release   free = window - (PENDING + RUNNING probe jobs)     (conveyor.jobs.backlog)
                 for each backlog entry, HIGH before NORMAL before LOW, oldest first:
                   take up to `free` jobs of the run (handed-back ones first, then the next
                   indexes), and in ONE transaction: the run's claim (conditional on its
                   status and on what it had released), the jobs' records, the unreleased
                   count, and an outbox marker naming them; then send their messages and
                   drop the marker

A pass is the only writer of claims (one pass at a time: `wakeups`), and a claim is
conditional on the run still releasing (PENDING or RUNNING): a run paused or cancelled
while the pass looked at it releases nothing. A run whose jobs are all released leaves
the backlog in its last claim's transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools import Logger
from boto3.dynamodb.conditions import Key

from conveyor.core.dynamo import TransactionCancelled
from conveyor.jobs.backlog import free_capacity
from conveyor.jobs.bulk import MAX_JOBS_PER_TRANSACTION, BulkJobs
from conveyor.jobs.records import Job
from conveyor.jobs.service import JobService
from conveyor.jobs.status import JobStatus
from evaluation.definitions import DefinitionStore
from evaluation.runs.plan import RunPlan
from evaluation.runs.records import Run
from evaluation.runs.store import PROBE_QUEUE, RunStore

logger = Logger(child=True)

# A pass stops after this long and asks for another: well inside the function's timeout.
PASS_BUDGET_SECONDS = 4.0


@dataclass
class PassReport:
    released: dict[str, int] = field(default_factory=dict)  # run id -> jobs released
    completed: list[str] = field(default_factory=list)
    resent: int = 0
    free: int = 0
    more: bool = False  # the budget ran out with work left: another pass is asked for


class Outbox:
    """Releases committed and not yet sent: `outbox` / `<run id>#<first index>`, their job ids."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def marker(self, run_id: str, jobs: Iterable[Job]) -> tuple[dict[str, Any], dict[str, str]]:
        ids = [job.id for job in jobs]
        key = {"pk": "outbox", "sk": f"{run_id}#{ids[0]}"}
        return {**key, "jobIds": ids}, key

    def pending(self) -> list[dict[str, Any]]:
        return list(self._table.query(KeyConditionExpression=Key("pk").eq("outbox"), ConsistentRead=True)["Items"])

    def clear(self, key: dict[str, str]) -> None:
        self._table.delete_item(Key=key)


class ReleasePass:
    def __init__(
        self,
        runs: RunStore,
        definitions: DefinitionStore,
        jobs: JobService,
        bulk: BulkJobs,
        outbox: Outbox,
        window: int,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._runs = runs
        self._definitions = definitions
        self._jobs = jobs
        self._bulk = bulk
        self._outbox = outbox
        self._window = window
        self._monotonic = monotonic
        self._outbox_clear = False  # known empty: checked by this container, and nothing left in it since

    def run(self, finished_runs: Iterable[str] = (), sweep: bool = False) -> PassReport:
        report = PassReport()
        deadline = self._monotonic() + PASS_BUDGET_SECONDS
        if sweep or not self._outbox_clear:
            report.resent = self._resend_unsent()
        candidates = set(finished_runs) | (set(self._runs.active_ids()) if sweep else set())
        report.completed = [run_id for run_id in sorted(candidates) if self._runs.complete(run_id)]
        free = report.free = free_capacity(self._jobs.store.counters, PROBE_QUEUE, self._window)
        for entry in self._runs.backlog.in_order():
            if free <= 0:
                break
            if self._monotonic() > deadline:
                report.more = True
                break
            run = self._runs.get(entry.owner_id)
            if run is None or not run.status.releases_jobs or run.unreleased == 0:
                # Nothing to release from it now (a resume puts a paused run's entry back).
                self._runs.backlog.discard(entry)
                continue
            while free > 0 and run.unreleased > 0:
                if self._monotonic() > deadline:
                    report.more = True
                    break
                released, claimed = self._release(run, min(free, MAX_JOBS_PER_TRANSACTION))
                if not released:
                    break
                report.released[run.id] = report.released.get(run.id, 0) + released
                free -= released
                run = claimed
        return report

    def _release(self, run: Run, limit: int) -> tuple[int, Run]:
        """Release up to `limit` jobs of `run`: how many, and the run as the claim left it."""
        returned = run.returned[:limit]
        fresh = min(limit - len(returned), run.total - run.next_index)
        indexes = [*returned, *range(run.next_index, run.next_index + fresh)]
        definition = self._definitions.get(run.definition.id)
        if definition is None:
            raise RuntimeError(f"run {run.id}: its definition {run.definition.id} is gone")
        new_jobs = RunPlan(run, self._definitions.scenarios(definition)).probe_jobs(indexes)
        tx = self._runs.transaction()
        self._runs.add_claim(tx, run, fresh, returned)
        created = self._bulk.add_creation(tx, new_jobs)
        marker, key = self._outbox.marker(run.id, created)
        tx.put(self._runs.table_name, marker)
        try:
            tx.commit()
        except TransactionCancelled as cancelled:
            logger.info("release refused: the run changed", extra={"run": run.id, "reasons": cancelled.reasons})
            return 0, run
        if self._bulk.send(created):
            self._outbox_clear = False  # the next pass sends them again
        else:
            self._outbox.clear(key)
        claimed = run.model_copy(
            update={"next_index": run.next_index + fresh, "returned": run.returned[len(returned) :]}
        )
        return len(created), claimed

    def _resend_unsent(self) -> int:
        """Send again the jobs of releases a pass committed but did not finish sending."""
        resent = 0
        self._outbox_clear = True
        for marker in self._outbox.pending():
            jobs = [self._jobs.store.get(job_id) for job_id in marker["jobIds"]]
            waiting = [job for job in jobs if job and job.status == JobStatus.PENDING and job.attempts == 0]
            if self._bulk.send(waiting):
                self._outbox_clear = False
                continue
            self._outbox.clear({"pk": marker["pk"], "sk": marker["sk"]})
            resent += len(waiting)
        return resent
