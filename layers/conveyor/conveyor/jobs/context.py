"""What a processor gets besides its payload: the job, and a way to show it is alive."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conveyor.jobs.errors import JobCancelled
from conveyor.jobs.records import Job


@dataclass
class JobContext:
    job: Job
    # Extends the job's lock (record and message); False when the job was cancelled or taken over.
    keep_alive: Callable[[], bool]

    @property
    def job_id(self) -> str:
        return self.job.id

    @property
    def organization_id(self) -> str:
        return self.job.organization_id

    def checkpoint(self) -> None:
        """Call between steps and before writing results: renews the lock, and stops the
        processor (JobCancelled) if the job was cancelled meanwhile."""
        if not self.keep_alive():
            raise JobCancelled(f"job {self.job.id} was cancelled or taken over")
