"""Figures of the job queues on the local cloud: `POST /jobs` latency, and how many
jobs per second the local cloud runs end to end with the no-op processor (NOOP).

    .venv/bin/python bench/jobs.py [--posts 300] [--jobs 500]

A fresh local cloud on free ports with the template's production defaults.
Throughput: the supporting queue's event source mapping is paused, the jobs
are queued (record, message, sent mark each, as `POST /jobs` does), the mapping is
resumed, and the clock runs until the queue's COMPLETED count has them all:
each job is one SQS delivery, one invocation of the content-jobs worker (BatchSize 1,
MaximumConcurrency 10 on this queue's mapping) and three DynamoDB calls (read,
start, complete) plus the counters' read for the metrics. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from figures import percentile

from content_jobs.catalog import JobType, QueueName
from content_jobs.payloads import NoopPayload
from conveyor.jobs.messages import JobMessage
from conveyor.jobs.records import NewJob
from conveyor.jobs.status import JobStatus
from conveyor.jobs.store import JobStore
from localcloud import deploy, runner

SUPPORTING = QueueName.SUPPORTING.value


def post_latency(cloud: runner.CloudProcess, posts: int) -> list[float]:
    """Milliseconds per `POST /jobs` (NOOP), sequential, after a warm-up."""
    body = json.dumps({"type": "NOOP", "payload": {}}).encode()  # the developer's organization (the token's)
    timings = []
    for index in range(posts + 10):
        headers = {"content-type": "application/json", "Authorization": f"Bearer {cloud.token}"}
        request = urllib.request.Request(f"{cloud.settings.api_url}/jobs", data=body, method="POST", headers=headers)
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            assert response.status == 202
        if index >= 10:  # the first requests start the API's Lambda worker
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def completed(store: JobStore) -> int:
    return store.counters.by_queue([SUPPORTING])[SUPPORTING][JobStatus.COMPLETED]


def content_jobs_outputs(cloud: runner.CloudProcess) -> dict[str, str]:
    """The outputs of the content-jobs stack, nested under the root stack as `ContentJobs`."""
    cfn = cloud.client("cloudformation")
    nested = cfn.describe_stack_resource(StackName=cloud.settings.stack_name, LogicalResourceId="ContentJobs")
    return deploy.stack_outputs(cfn, nested["StackResourceDetail"]["PhysicalResourceId"])


def throughput(cloud: runner.CloudProcess, jobs: int) -> float:
    """Jobs per second from resuming the paused queue until all are COMPLETED."""
    lam, sqs = cloud.client("lambda"), cloud.client("sqs")
    outputs = content_jobs_outputs(cloud)
    store = JobStore(cloud.resource("dynamodb").Table(outputs["JobsTableName"]))
    queue_url = outputs["SupportingQueueUrl"]
    mapping = lam.list_event_source_mappings(EventSourceArn=_arn(sqs, queue_url))["EventSourceMappings"][0]
    while _depth(sqs, queue_url):
        time.sleep(0.2)  # the latency run's jobs finish first
    before = completed(store)

    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    for index in range(jobs):
        new = NewJob(f"bench-{time.time_ns()}-{index}", JobType.NOOP, f"bench-org-{index % 20}", NoopPayload())
        job = store.create(new, SUPPORTING)
        sqs.send_message(QueueUrl=queue_url, MessageBody=JobMessage.of(job).body())
        store.sent(job)  # as the outbox does: nothing owed for the sweeper to send again
    started = time.perf_counter()
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    while completed(store) < before + jobs:
        time.sleep(0.05)
    return jobs / (time.perf_counter() - started)


def _arn(sqs, url: str) -> str:  # type: ignore[no-untyped-def]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _depth(sqs, url: str) -> int:  # type: ignore[no-untyped-def]
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes[name]) for name in names)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as work:
        cloud = runner.start(Path(work), persist=False)
        try:
            latencies = post_latency(cloud, args.posts)
            rate = throughput(cloud, args.jobs)
        finally:
            cloud.stop()
    print(
        f"POST /jobs          p50 {percentile(latencies, 50):6.1f} ms   p99 {percentile(latencies, 99):6.1f} ms"
        f"   mean {statistics.fmean(latencies):6.1f} ms   (n={len(latencies)}, sequential, warm)"
    )
    print(f"NOOP jobs processed {rate:6.1f} jobs/s   (n={args.jobs}, supporting queue, MaximumConcurrency 10)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
