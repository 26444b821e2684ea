"""Figures of evaluation runs on the local cloud, through `POST /graphql` with the developer token:

    .venv/bin/python bench/evaluation.py [--repeats 5] [--queries 500] [--jobs 2000]
                                         [--parameters "EvaluationProbeBatchSize=10 ..."]

1. `startRun` of 1,000 jobs (the sample-load definition, 1,000 scenarios × 1 model) and
   of 10,000 jobs (× 10 models): the mutation's latency as the client sees it. Each run is
   cancelled at once (so the next measure starts from an idle queue).
2. The progress query (`run(id) { status progress { ... byModel { ... } } }`): p50 and p99
   over `--queries` sequential requests against a run in progress.
3. Jobs processed per second with a zero-latency local model: a `--jobs` run from its
   start to COMPLETED, and its steady rate (from 10% to 90% done).
4. A 2,000-job run paused at about a quarter, checked to start nothing while paused,
   resumed and drained: its counts must be exact (completed = total, byModel each the
   model's share, the queue's probe counters moved by exactly 2,000).

A fresh local cloud on free ports; template defaults unless `--parameters` overrides them.
Prints figures; asserts only the exact counts of (4).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from figures import GraphqlClient, percentile, wait_until

from localcloud import runner

PROGRESS = (
    "query($id: ID!) { run(id: $id) { status progress {"
    " total completed failed percentComplete byModel { model completed failed } } } }"
)
START = "mutation($i: StartRunInput!) { startRun(input: $i) { id status progress { total } } }"
PROBE_COUNTS = "{ queueStatus { jobTypes { jobType created retry active completed cancelled failed total } } }"


class Graphql(GraphqlClient):
    def start(self, models: int, **options: Any) -> str:
        names = [f"local/bench-{i}" for i in range(models)]
        return str(self(START, i={"definitionId": "sample-load", "models": names, **options})["startRun"]["id"])

    def cancel_unless_finished(self, run_id: str) -> None:
        """Cancel the run; one that completed meanwhile is left as it is."""
        if self.progress(run_id)["status"] != "COMPLETED":
            self("mutation($id: ID!) { cancelRun(id: $id) { status } }", id=run_id)

    def progress(self, run_id: str) -> dict[str, Any]:
        return self(PROGRESS, id=run_id)["run"]

    def probe_counts(self) -> dict[str, int]:
        types = self(PROBE_COUNTS)["queueStatus"]["jobTypes"]
        return next(t for t in types if t["jobType"] == "probe:scenario")


def start_latency(gql: Graphql, models: int, repeats: int) -> list[float]:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        run_id = gql.start(models)
        timings.append((time.perf_counter() - started) * 1000)
        gql("mutation($id: ID!) { cancelRun(id: $id) { status } }", id=run_id)
    return timings


def progress_latency(gql: Graphql, queries: int, busy: bool) -> list[float]:
    """The progress query of a 2,000-job run; `busy`: while its jobs run (on the same two cores),
    else with the evaluation queue paused (only the query runs)."""
    if not busy:
        gql("mutation { pauseQueue { paused } }")
    run_id = gql.start(2)
    for _ in range(20):
        gql.progress(run_id)  # warm the function's workers
    timings = []
    for _ in range(queries):
        started = time.perf_counter()
        gql.progress(run_id)
        timings.append((time.perf_counter() - started) * 1000)
    gql.cancel_unless_finished(run_id)
    gql("mutation { resumeQueue { paused } }")
    return timings


def idle(gql: Graphql) -> None:
    """Wait until no probe job waits or runs (the cancelled runs' released jobs drain)."""
    wait_until(lambda: (c := gql.probe_counts())["active"] == 0 and c["retry"] == 0 and c["created"] == 0, 300, 0.5)


def throughput(gql: Graphql, jobs: int) -> tuple[float, float, float]:
    """(seconds to COMPLETED, jobs/s overall, jobs/s from 10% to 90%)."""
    models = 2
    run_id = gql.start(models, samplePercentage=100 * jobs / models / 1000)
    started = time.monotonic()
    marks: dict[int, float] = {}
    while True:
        run = gql.progress(run_id)
        done = run["progress"]["completed"] + run["progress"]["failed"]
        for mark in (10, 90):
            if mark not in marks and done >= run["progress"]["total"] * mark / 100:
                marks[mark] = time.monotonic()
        if run["status"] == "COMPLETED":
            break
        time.sleep(0.25)
    total = run["progress"]["total"]
    elapsed = time.monotonic() - started
    steady = 0.8 * total / (marks[90] - marks[10]) if marks[90] > marks[10] else float("nan")
    return elapsed, total / elapsed, steady


def pause_resume_drain(gql: Graphql, jobs: int) -> dict[str, Any]:
    before = gql.probe_counts()
    run_id = gql.start(2, samplePercentage=100 * jobs / 2 / 1000)
    wait_until(lambda: gql.progress(run_id)["progress"]["completed"] >= jobs // 4, 600, 0.2)
    paused_at = time.monotonic()
    gql("mutation($id: ID!) { pauseRun(id: $id) { status } }", id=run_id)
    # Jobs already running finish and count; then nothing moves while paused.
    settled = wait_until(lambda: gql.probe_counts()["active"] == 0 and gql.progress(run_id), 120, 0.2)
    done_paused = settled["progress"]["completed"] + settled["progress"]["failed"]
    time.sleep(5)
    still = gql.progress(run_id)["progress"]
    moved_while_paused = still["completed"] + still["failed"] - done_paused
    gql("mutation($id: ID!) { resumeRun(id: $id) { status } }", id=run_id)
    resumed_at = time.monotonic()
    final = wait_until(lambda: (r := gql.progress(run_id))["status"] == "COMPLETED" and r, 900, 0.5)
    after = gql.probe_counts()
    progress = final["progress"]
    return {
        "total": progress["total"],
        "completed": progress["completed"],
        "failed": progress["failed"],
        "byModel": {m["model"]: m["completed"] for m in progress["byModel"]},
        "done when paused": done_paused,
        "moved while paused (5 s)": moved_while_paused,
        "pause to settled (s)": round(resumed_at - paused_at - 5, 1),
        "resume to COMPLETED (s)": round(time.monotonic() - resumed_at, 1),
        "probe jobs completed (queue counters)": after["completed"] - before["completed"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--parameters", default="", help="template parameter overrides, Name=value ...")
    parser.add_argument("--phases", default="start,progress,throughput,pause", help="which figures, comma-separated")
    args = parser.parse_args()
    cloud = runner.start(Path(tempfile.mkdtemp(prefix="bench-evaluation-")), parameter_overrides=args.parameters)
    try:
        gql = Graphql(cloud)
        gql("{ definitions { id } }")  # writes the samples (first use) and warms the function
        print(f"local cloud ready in {cloud.ready_seconds:.1f} s; parameters: {args.parameters or 'defaults'}")
        phases = set(args.phases.split(","))
        for models in (1, 10) if "start" in phases else ():
            timings = start_latency(gql, models, args.repeats)
            print(
                f"startRun of {models * 1000:>6,} jobs: p50 {percentile(timings, 50):6.1f} ms   "
                f"max {max(timings):6.1f} ms   (n={len(timings)})"
            )
        for busy in (False, True) if "progress" in phases else ():
            idle(gql)
            timings = progress_latency(gql, args.queries, busy)
            print(
                f"progress query, {'while its jobs run' if busy else 'queue paused'}: "
                f"p50 {percentile(timings, 50):.1f} ms   p99 {percentile(timings, 99):.1f} ms   "
                f"(n={len(timings)}, through POST /graphql)"
            )
        if "throughput" in phases:
            idle(gql)
            elapsed, overall, steady = throughput(gql, args.jobs)
            print(
                f"{args.jobs:,} jobs, zero-latency model: COMPLETED in {elapsed:.1f} s: "
                f"{overall:.0f} jobs/s overall, {steady:.0f} jobs/s steady (10%-90%)"
            )
        if "pause" not in phases:
            return 0
        idle(gql)
        report = pause_resume_drain(gql, 2000)
        print("2,000-job run paused, resumed, drained:", json.dumps(report))
        exact = (
            report["completed"] == report["total"] == 2000
            and report["failed"] == 0
            and all(count == 1000 for count in report["byModel"].values())
            and report["probe jobs completed (queue counters)"] == 2000
            and report["moved while paused (5 s)"] == 0
        )
        print("exact counts:", "yes" if exact else "NO")
        return 0 if exact else 1
    finally:
        cloud.stop()


if __name__ == "__main__":
    sys.exit(main())
