"""Figures of the job queues on the local cloud, each beside the raw platform doing the same
work in the same run, as a ratio:

    .venv/bin/python bench/jobs.py [--jobs 2000] [--runs 3] [--posts 200] [--created 10000]

NOOP jobs per second, from resuming a paused mapping on a preloaded queue until every job
is done (the median of `--runs`; the CPU time of the local cloud's processes, MiniStack
and its Lambda workers, per job; the machine's 1-minute load average when it ended):

    Conveyor          the content-jobs worker on the supporting queue (BatchSize 10,
                      MaximumConcurrency 10): records, history, outbox, Powertools
    raw job-shaped    the same mapping feeding plain boto3 doing the same DynamoDB work per
                      batch: one BatchGetItem, a transaction starting the jobs (organization
                      counters under a limit), one completing them (bench/job_platform)
    raw drain         the same mapping feeding a handler that does nothing

`POST /jobs` (NOOP), sequential and from 8 concurrent clients, beside `JobService.submit`
called from this process: the same AWS calls (the create transaction, SendMessage, the
sent mark) without API Gateway and Lambda.

Jobs created in bulk: `--created` NOOP jobs with `POST /jobs/batch`, 1,000 per request, one
request after another (records, messages and marks, the worker paused), beside the same
records written with BatchWriteItem and one message each sent with SendMessageBatch from
this process.

A fresh local cloud on free ports with the template's defaults. Prints figures; asserts
nothing. The machine is shared: read each figure beside its load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from figures import Comparison, cloud_cpu_seconds, load_average, percentile, print_comparisons

from content_jobs.catalog import REGISTRY, JobType, QueueName
from content_jobs.payloads import NoopPayload
from conveyor.core.aws import AwsClients
from conveyor.jobs.counters import queue_key
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.records import Job, NewJob
from conveyor.jobs.routes import MAX_BATCH_JOBS
from conveyor.jobs.service import JobService
from conveyor.jobs.settings import JobSettings
from conveyor.jobs.status import JobStatus
from localcloud import deploy, runner

SUPPORTING = QueueName.SUPPORTING.value
PLATFORM_STACK = Path(__file__).parent / "job_platform" / "template.yaml"
ORGANIZATIONS = 100  # jobs spread over them, so no organization's limit (50) holds a job back
CONCURRENT_CLIENTS = 8
WARM_UP_JOBS = 200  # starts the mapping's workers before anything is timed


@dataclass(frozen=True)
class Drained:
    jobs: int
    seconds: float
    cpu_seconds: float
    load: float

    @property
    def rate(self) -> float:
        return self.jobs / self.seconds

    @property
    def cpu_ms_per_job(self) -> float:
        return self.cpu_seconds * 1000 / self.jobs


class Workload:
    """Jobs for one consumer: put on its paused queue, then counted as they finish."""

    def __init__(self, cloud: runner.CloudProcess, queue_url: str) -> None:
        self.cloud = cloud
        self.sqs = cloud.client("sqs")
        self.queue_url = queue_url
        arn = self.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        lam = cloud.client("lambda")
        [mapping] = lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]
        self.lam, self.mapping = lam, mapping["UUID"]

    def load(self, run: str, jobs: int) -> None:
        raise NotImplementedError

    def done(self) -> int:
        raise NotImplementedError

    def send(self, bodies: list[str]) -> None:
        for first in range(0, len(bodies), 10):
            entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies[first : first + 10])]
            self.sqs.send_message_batch(QueueUrl=self.queue_url, Entries=entries)

    def drain(self, run: str, jobs: int) -> Drained:
        self.lam.update_event_source_mapping(UUID=self.mapping, Enabled=False)
        before = self.done()
        self.load(run, jobs)
        cpu = cloud_cpu_seconds(self.cloud)
        started = time.perf_counter()
        self.lam.update_event_source_mapping(UUID=self.mapping, Enabled=True)
        while self.done() < before + jobs:
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        return Drained(jobs, seconds, cloud_cpu_seconds(self.cloud) - cpu, load_average())


class ConveyorJobs(Workload):
    """NOOP jobs on the supporting queue: records as `POST /jobs` leaves them once sent."""

    def __init__(self, cloud: runner.CloudProcess, outputs: dict[str, str]) -> None:
        super().__init__(cloud, outputs["SupportingQueueUrl"])
        self.table = cloud.resource("dynamodb").Table(outputs["JobsTableName"])

    def load(self, run: str, jobs: int) -> None:
        records = [
            Job(
                id=f"{run}-{index}",
                type=JobType.NOOP,
                queue=SUPPORTING,
                organization_id=f"bench-org-{index % ORGANIZATIONS}",
                status=JobStatus.PENDING,
                payload={"echo": str(index)},
                created_at="2026-01-01T00:00:00.000Z",
            )
            for index in range(jobs)
        ]
        with self.table.batch_writer() as writer:
            for job in records:
                writer.put_item(Item=job.to_item())
        self.table.update_item(
            Key=queue_key(SUPPORTING), UpdateExpression="ADD PENDING :n", ExpressionAttributeValues={":n": jobs}
        )
        self.send([JobMessage.of(job).body() for job in records])

    def done(self) -> int:
        item = self.table.get_item(Key=queue_key(SUPPORTING), ConsistentRead=True).get("Item") or {}
        return int(item.get(JobStatus.COMPLETED.value, 0))


class JobShaped(Workload):
    """The same jobs for the raw job-shaped handler (bench/job_platform)."""

    def __init__(self, cloud: runner.CloudProcess, outputs: dict[str, str]) -> None:
        super().__init__(cloud, outputs["JobShapedQueueUrl"])
        self.table = cloud.resource("dynamodb").Table(outputs["JobsTableName"])

    def load(self, run: str, jobs: int) -> None:
        ids = [f"{run}-{index}" for index in range(jobs)]
        with self.table.batch_writer() as writer:
            for index, job_id in enumerate(ids):
                writer.put_item(Item={"id": job_id, "status": "PENDING", "org": f"bench-org-{index % ORGANIZATIONS}"})
        self.send([json.dumps({"jobId": job_id}) for job_id in ids])

    def done(self) -> int:
        item = self.table.get_item(Key={"id": "stats"}, ConsistentRead=True).get("Item") or {}
        return int(item.get("COMPLETED", 0))


class Drain(Workload):
    """Messages for the raw no-op handler: done once the queue is empty."""

    def __init__(self, cloud: runner.CloudProcess, outputs: dict[str, str]) -> None:
        super().__init__(cloud, outputs["DrainQueueUrl"])
        self.sent = 0

    def load(self, run: str, jobs: int) -> None:
        self.send([json.dumps({"jobId": f"{run}-{index}"}) for index in range(jobs)])
        self.sent += jobs

    def done(self) -> int:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=names)["Attributes"]
        return self.sent - sum(int(attributes[name]) for name in names)


def create_over_the_api(cloud: runner.CloudProcess, workload: ConveyorJobs, jobs: int) -> float:
    """Seconds to create `jobs` NOOP jobs with `POST /jobs/batch`, MAX_BATCH_JOBS per request
    (records committed, messages sent, marks removed), the worker's mapping paused."""
    headers = {"content-type": "application/json", "Authorization": f"Bearer {cloud.token}"}
    run = f"bulk-{time.time_ns()}"
    bodies = [
        json.dumps(
            {"jobs": [{"type": "NOOP", "payload": {}, "jobId": f"{run}-{first + i}"} for i in range(MAX_BATCH_JOBS)]}
        ).encode()
        for first in range(0, jobs, MAX_BATCH_JOBS)
    ]
    workload.lam.update_event_source_mapping(UUID=workload.mapping, Enabled=False)
    started = time.perf_counter()
    for body in bodies:
        request = urllib.request.Request(f"{cloud.settings.api_url}/jobs/batch", data=body, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 202, response.status
    return time.perf_counter() - started


def create_raw(cloud: runner.CloudProcess, platform: dict[str, str], jobs: int) -> float:
    """Seconds for the same records with BatchWriteItem (25 a call) and one message each by
    SendMessageBatch (10 a call), from this process, to a queue nothing consumes."""
    table = cloud.resource("dynamodb").Table(platform["JobsTableName"])
    sqs = cloud.client("sqs")
    run = f"raw-{time.time_ns()}"
    started = time.perf_counter()
    with table.batch_writer() as writer:
        for index in range(jobs):
            writer.put_item(Item={"id": f"{run}-{index}", "status": "PENDING", "org": "bench", "payload": "{}"})
    for first in range(0, jobs, 10):
        entries = [{"Id": str(i), "MessageBody": json.dumps({"jobId": f"{run}-{first + i}"})} for i in range(10)]
        sqs.send_message_batch(QueueUrl=platform["CreationQueueUrl"], Entries=entries)
    return time.perf_counter() - started


def median_drain(runs: list[Drained]) -> Drained:
    return sorted(runs, key=lambda d: d.rate)[len(runs) // 2]


def throughput(workload: Workload, name: str, jobs: int, runs: int) -> list[Drained]:
    workload.drain(f"{name}-warm", WARM_UP_JOBS)
    return [workload.drain(f"{name}-{run}", jobs) for run in range(runs)]


def post_latencies(cloud: runner.CloudProcess, posts: int, clients: int) -> list[float]:
    """Milliseconds per `POST /jobs` (NOOP, the token's organization) from `clients` threads."""
    body = json.dumps({"type": "NOOP", "payload": {}}).encode()
    headers = {"content-type": "application/json", "Authorization": f"Bearer {cloud.token}"}

    def post() -> None:
        request = urllib.request.Request(f"{cloud.settings.api_url}/jobs", data=body, method="POST", headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            assert response.status == 202, response.status

    return timed_concurrently(post, posts, clients)


def submit_latencies(jobs: JobService, posts: int, clients: int) -> list[float]:
    """Milliseconds per `JobService.submit` (NOOP) from this process: the AWS calls alone."""
    return timed_concurrently(
        lambda: jobs.submit(NewJob(f"direct-{time.time_ns()}", JobType.NOOP, "local", NoopPayload())), posts, clients
    )


def timed_concurrently(call: Callable[[], Any], calls: int, clients: int) -> list[float]:
    """Milliseconds per `call`, `calls` of them from `clients` threads, after an untimed round
    at the same concurrency (it starts as many API workers as the timed round needs)."""

    def run(calls_each: int, timings: list[float]) -> None:
        lock = threading.Lock()

        def client() -> None:
            for _ in range(calls_each):
                started = time.perf_counter()
                call()
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    timings.append(elapsed)

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    run(5, [])
    timings: list[float] = []
    run(calls // clients, timings)
    return timings


def content_jobs_outputs(cloud: runner.CloudProcess) -> dict[str, str]:
    """The outputs of the content-jobs stack, nested under the root stack as `ContentJobs`."""
    cfn = cloud.client("cloudformation")
    nested = cfn.describe_stack_resource(StackName=cloud.settings.stack_name, LogicalResourceId="ContentJobs")
    return deploy.stack_outputs(cfn, nested["StackResourceDetail"]["PhysicalResourceId"])


def job_service(cloud: runner.CloudProcess, outputs: dict[str, str]) -> JobService:
    os.environ.setdefault("AWS_ENDPOINT_URL", cloud.settings.endpoint_url)
    os.environ.setdefault("AWS_DEFAULT_REGION", cloud.settings.region)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    settings = JobSettings(jobs_table=outputs["JobsTableName"], queue_prefix=outputs["QueuePrefix"])
    return JobService.build(settings, AwsClients(), REGISTRY)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--created", type=int, default=10_000, help="jobs created in bulk (a multiple of 1,000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as work:
        cloud = runner.start(Path(work), persist=False)
        try:
            outputs = content_jobs_outputs(cloud)
            platform = deploy.deploy(cloud.settings, template=PLATFORM_STACK, stack_name="bench-jobs").outputs
            drains = {
                "conveyor": throughput(ConveyorJobs(cloud, outputs), "conveyor", args.jobs, args.runs),
                "shaped": throughput(JobShaped(cloud, platform), "shaped", args.jobs, args.runs),
                "drain": throughput(Drain(cloud, platform), "drain", args.jobs, args.runs),
            }
            jobs = job_service(cloud, outputs)
            posts = {}
            for clients in (1, CONCURRENT_CLIENTS):
                posts[("api", clients)] = (post_latencies(cloud, args.posts, clients), load_average())
                posts[("direct", clients)] = (submit_latencies(jobs, args.posts, clients), load_average())
            conveyor_jobs = ConveyorJobs(cloud, outputs)
            created = {
                "api": (create_over_the_api(cloud, conveyor_jobs, args.created), load_average()),
                "raw": (create_raw(cloud, platform, args.created), load_average()),
            }
        finally:
            cloud.stop()

    conveyor = median_drain(drains["conveyor"])
    rows = [
        Comparison(
            "NOOP jobs per second",
            conveyor.rate,
            raw_name,
            raw.rate,
            "/s",
            cpu_ms=(conveyor.cpu_ms_per_job, raw.cpu_ms_per_job),
            load=max(conveyor.load, raw.load),
        )
        for raw_name, raw in (
            ("job-shaped handler, per batch of 10", median_drain(drains["shaped"])),
            ("SQS -> no-op handler, batches of 10", median_drain(drains["drain"])),
        )
    ]
    for clients in (1, CONCURRENT_CLIENTS):
        (api, api_load), (direct, direct_load) = posts[("api", clients)], posts[("direct", clients)]
        for pct in (50, 99):
            rows.append(
                Comparison(
                    f"POST /jobs p{pct}, {clients} client{'s' if clients > 1 else ''}",
                    percentile(api, pct),
                    "its AWS calls from one process",
                    percentile(direct, pct),
                    "ms",
                    higher_is_better=False,
                    load=max(api_load, direct_load),
                )
            )
    (api_seconds, api_load), (raw_seconds, raw_load) = created["api"], created["raw"]
    rows.append(
        Comparison(
            f"{args.created:,} jobs created (seconds)",
            api_seconds,
            "BatchWriteItem(25) + SendMessageBatch(10)",
            raw_seconds,
            "s",
            higher_is_better=False,
            load=max(api_load, raw_load),
        )
    )
    print_comparisons(
        f"Job queues on the local cloud ({os.cpu_count()} cores): {args.jobs} jobs per run, median of {args.runs}; "
        f"{args.posts} posts per figure",
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
