"""The dispatcher's passes and the deliveries: jobs released by priority within the window,
a pause that starts nothing and hands unstarted jobs back, a cancel that runs nothing more,
and a release whose messages were lost sent again."""

from __future__ import annotations

import json

import boto3

from conveyor.jobs.messages import JobMessage
from conveyor.jobs.status import JobStatus
from evaluation.runs.status import RunStatus

from ..conftest import REGION
from .conftest import WINDOW, Harness, messages_in, received_record
from .test_runs import start

PROBES = "probe-scenario"


def started_in_order(harness: Harness) -> list[str]:
    """Pass, deliver one probe, pass, ... until nothing is left: the jobs in the order they ran."""
    started = []
    while True:
        harness.dispatch()
        delivered = harness.deliver_next()
        if delivered is None:
            return started
        started.append(delivered[0])


def run_of(job_id: str) -> str:
    return job_id.split(".")[0]


def test_a_pass_releases_at_most_the_window_and_more_as_jobs_end(harness: Harness) -> None:
    run = start(harness)  # 20 jobs
    report = harness.dispatch()
    assert report.released == {run.id: WINDOW} and report.free == WINDOW
    assert messages_in(harness.resources.queue_urls[PROBES]) == WINDOW
    assert harness.dispatch().released == {}  # nothing ended: no room
    assert harness.deliver() == "COMPLETED" and harness.deliver() == "COMPLETED"
    assert harness.dispatch().released == {run.id: 2}
    assert harness.api.runs.existing(run.id).next_index == WINDOW + 2


def test_high_runs_are_released_before_normal_and_low_ones_whatever_their_age(harness: Harness) -> None:
    low = start(harness, priority="LOW")
    harness.clock.advance(1)
    normal = start(harness)
    harness.clock.advance(1)
    high = start(harness, models=("local/a",), sample_percentage=30, sample_seed=1, priority="HIGH")  # 3 jobs
    assert [entry.owner_id for entry in harness.api.runs.backlog.in_order()] == [high.id, normal.id, low.id]
    assert harness.dispatch().released == {high.id: 3, normal.id: WINDOW - 3}


def test_a_high_run_started_behind_a_normal_backlog_starts_before_the_backlog(harness: Harness) -> None:
    normal = start(harness)  # 20 jobs: WINDOW of them in the queue at once
    harness.dispatch()
    high = start(harness, models=("local/a",), sample_percentage=20, sample_seed=4, priority="HIGH")  # 2 jobs
    started = [run_of(job_id) for job_id in started_in_order(harness)]
    # Only the NORMAL jobs already in the queue (the window) start before the HIGH run's.
    assert started[WINDOW : WINDOW + 2] == [high.id, high.id]
    assert set(started[:WINDOW] + started[WINDOW + 2 :]) == {normal.id} and len(started) == 22


def test_a_paused_run_starts_nothing_and_hands_unstarted_jobs_back_to_be_released_first(harness: Harness) -> None:
    run = start(harness)
    harness.dispatch()
    assert harness.deliver() == "COMPLETED"
    harness.api.runs.pause(run.id)
    outcomes = [harness.deliver() for _ in range(WINDOW - 1)]
    assert outcomes == ["WITHDRAWN"] * (WINDOW - 1) and harness.deliver() is None
    paused = harness.api.runs.existing(run.id)
    assert (paused.status, paused.completed, paused.returned) == (RunStatus.PAUSED, 1, list(range(1, WINDOW)))
    assert harness.dispatch().released == {}  # a paused run releases nothing
    assert harness.api.queue.status().job_types[0].created == 19  # back in the plan, not lost

    harness.api.runs.resume(run.id)
    assert harness.dispatch().released == {run.id: WINDOW}
    assert harness.api.runs.existing(run.id).returned == []
    harness.drain()
    done = harness.api.runs.existing(run.id)
    assert (done.status, done.completed, done.failed) == (RunStatus.COMPLETED, 20, 0)
    assert [done.model_counts(i).completed for i in (0, 1)] == [10, 10]


def test_a_paused_runs_job_that_failed_an_attempt_is_held_in_the_queue_not_run(harness: Harness) -> None:
    run = start(harness, definition="sample-resilience", models=("local/a",))
    harness.dispatch()
    assert [harness.deliver(), harness.deliver()] == ["COMPLETED", "RETRY_SCHEDULED"]  # healthy, network-blip
    harness.api.runs.pause(run.id)
    blip = harness.worker.jobs.store.existing(f"{run.id}.1")
    harness.worker.jobs.queues.send(PROBES, JobMessage.of(blip))  # its backoff is over: delivered again
    while (delivered := harness.deliver_next()) is not None and delivered[0] != blip.id:
        assert delivered[1] == "WITHDRAWN"  # the others were never tried: back to the plan
    assert delivered == (blip.id, "HELD")
    held = harness.worker.jobs.store.existing(blip.id)
    assert (held.status, held.attempts, held.delivery) == (JobStatus.PENDING, 1, blip.delivery)
    assert queue_attribute(harness, "ApproximateNumberOfMessagesDelayed") == 1  # it looks again in 5 s


def queue_attribute(harness: Harness, name: str) -> int:
    url = harness.resources.queue_urls[PROBES]
    attributes = boto3.client("sqs", region_name=REGION).get_queue_attributes(QueueUrl=url, AttributeNames=[name])
    return int(attributes["Attributes"][name])


def test_a_cancelled_run_runs_nothing_more_and_keeps_what_completed(harness: Harness) -> None:
    run = start(harness)
    harness.dispatch()
    assert [harness.deliver(), harness.deliver()] == ["COMPLETED", "COMPLETED"]
    harness.api.runs.cancel(run.id)
    assert [harness.deliver() for _ in range(WINDOW - 2)] == ["WITHDRAWN"] * (WINDOW - 2)
    assert harness.dispatch().released == {} and harness.deliver() is None
    cancelled = harness.api.runs.existing(run.id)
    assert (cancelled.status, cancelled.completed, cancelled.failed) == (RunStatus.CANCELLED, 2, 0)
    probes = harness.api.queue.status().job_types[0]
    assert (probes.completed, probes.cancelled, probes.created, probes.total) == (2, 18, 0, 20)


def test_a_release_whose_messages_were_not_sent_is_sent_by_the_next_pass(harness: Harness) -> None:
    run = start(harness)
    queue = harness.resources.queue_urls[PROBES]
    bulk = harness.dispatcher.release._bulk
    send = bulk.send
    bulk.send = lambda jobs: list(jobs)  # SQS refuses every message of this pass
    assert harness.dispatch().released == {run.id: WINDOW}
    assert messages_in(queue) == 0
    bulk.send = send
    assert harness.dispatch().resent == WINDOW
    assert messages_in(queue) == WINDOW
    assert harness.dispatch().resent == 0  # the outbox is empty again


def test_a_job_whose_worker_died_mid_attempt_is_sent_again_by_the_sweep_pass(harness: Harness) -> None:
    start(harness)
    harness.dispatch()
    record = received_record(harness.resources.queue_urls[PROBES])  # a worker took a probe job ...
    jobs = harness.worker.jobs
    started = jobs.store.start(jobs.get(json.loads(record["body"])["jobId"]), org_limit=50)  # ... and died in it
    harness.clock.advance(3600)

    harness.dispatch(sweep=True)

    released = jobs.get(started.id)
    assert (released.status, released.delivery, released.stalls, released.attempts) == (JobStatus.PENDING, 2, 1, 0)
