"""Stalled jobs: RUNNING past their queue's lock duration without a heartbeat.

Their worker died (crash, timeout) or lost the message. Each goes back to
PENDING with a new delivery and is sent again; the stalled attempt counts as
a failed one, so a job that always kills its worker still ends in the DLQ.
"""

from __future__ import annotations

import time

from aws_lambda_powertools import Logger

from conveyor.jobs.queues import JobQueues
from conveyor.jobs.store import JobStore
from conveyor.jobs.submission import resend

logger = Logger(child=True)


def recover_stalled(store: JobStore, queues: JobQueues) -> list[str]:
    """Release and re-send every stalled job; the ids of those released."""
    released = []
    now = time.time()
    for job in store.running_jobs():
        if not job.lock_expired(queues.lock_seconds(job.queue), now):
            continue
        if not store.release_stalled(job, new_delivery=True):
            continue  # it moved on meanwhile (finished, cancelled, heartbeat)
        pending = store.get(job.id)
        assert pending is not None
        resend(store, queues, pending)
        logger.warning("stalled job sent again", extra={"jobId": job.id, "attempt": job.attempts})
        released.append(job.id)
    return released
