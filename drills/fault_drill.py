"""The fault drill: Conveyor's jobs and durable tasks on the local cloud while its Lambda
workers are SIGKILLed, and with `--kill-cloud` the whole cloud once mid-run.

    .venv/bin/python drills/fault_drill.py [--jobs 1000] [--tasks 200] [--kill-every 2] [--kill-cloud] [--keep-log FILE]

A local cloud of its own on free ports, with state kept (a temporary folder) and job
backoffs of 1, 2 and 3 s. Jobs through `POST /jobs`, a mix that should end:

    NOOP                                   COMPLETED
    SCRAPE_WEBSITE, the page answers 503 once, then the page           COMPLETED
    SCRAPE_WEBSITE, the page answers 404   FAILED (PermanentError), on purpose
    GENERATE_CONTENT, then PUBLISH_CONTENT of it to its own platform account   COMPLETED, posted once

Durable demo tasks through `POST /tasks`: plain ones, ones whose step 2 or 4 fails once
or twice and then succeeds, and ones whose step 4 always fails (FAILED on purpose).
Websites and the platform are local HTTP servers (the integration tests' `local_http`).
Submissions are retried as a client would (same `jobId`/`taskId`) until answered; an
id counts as accepted once answered 202. While they run, a random Lambda worker of
the cloud is SIGKILLed every `--kill-every` seconds. After a cloud kill the cloud is
started again on the same ports and state, and the tasks whose executions it aborted
are replayed (`POST /tasks/{id}/retry`), as a client would.

Then it waits until every accepted job and task is final (or nothing changed for
`--settle` seconds) and prints: accepted, completed, failed as intended, failed
otherwise, stuck, lost, effects applied twice (a task's `counters` above 1, a content
item posted more than once), the kills, the workers left behind by a cloud kill, and
the job counters that disagree with the records (an organization's RUNNING slots held
against its RUNNING jobs: a leaked slot holds its jobs back for good). Asserts nothing:
it reports.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from content_jobs.data.accounts import Account, AccountStore
from content_jobs.data.table import DataTable
from localcloud import deploy, identity, runner
from localcloud.settings import PROJECT_DIR

sys.path.insert(0, str(PROJECT_DIR))  # the integration tests' local HTTP servers
from tests.integration.content_jobs.local_http import LocalHttp, Reply, html  # noqa: E402

# Backoffs in seconds; the local websites and platform are on loopback, which jobs may not fetch by default.
JOB_PARAMETERS = "JobBackoffSeconds=1,2,3 JobFetchAllowedNetworks=127.0.0.1/32"
FINAL_JOB = {"COMPLETED", "FAILED", "CANCELLED"}
FINAL_TASK = {"SUCCEEDED", "FAILED"}
INTERRUPTED = "ExecutionAborted"  # how a task whose execution the restart aborted ends (record_interrupted)
PAGE = html("<html><head><title>Drill</title></head><body><article><p>Queues with retries.</p></article></body></html>")


@dataclass
class Work:
    """One job or task the drill submits, and how it should end."""

    kind: str  # "job" or "task"
    id: str
    label: str  # noop, scrape-transient, ..., task-plain, task-transient, task-permanent
    body: dict[str, Any]
    expect: str  # final status it should reach
    accepted_at: float | None = None  # when the API first answered 202
    refused: str = ""  # why it never was


@dataclass
class Outcome:
    status: str | None  # None: no record
    error: str = ""
    counters: dict[str, int] = field(default_factory=dict)
    detail: str = ""  # for a job not final: its record's delivery state and its queue's messages


class Cloud:
    """The drill's local cloud: started, killed and started again on the same ports and state."""

    def __init__(self, state_dir: Path, sfn_wait_scale: float) -> None:
        self.state_dir = state_dir
        self.sfn_wait_scale = sfn_wait_scale
        self.process = self._start()
        self.up = threading.Event()
        self.up.set()
        self.killed_at: float | None = None
        self.left_behind: list[int] = []

    def _start(self, same_as: runner.CloudProcess | None = None) -> runner.CloudProcess:
        settings = same_as.settings if same_as else None
        return runner.start(
            self.state_dir,
            persist=True,
            port=settings.port if settings else None,
            api_port=settings.api_port if settings else None,
            qdrant_port=settings.qdrant_port if settings else None,
            sfn_wait_scale=self.sfn_wait_scale,
            parameter_overrides=JOB_PARAMETERS,
        )

    def kill_and_restart(self) -> float:
        """SIGKILL the cloud's process (its workers are not signalled) and start it again;
        the seconds it was down."""
        self.up.clear()
        dead = self.process
        dead.process.send_signal(signal.SIGKILL)
        dead.process.wait()
        self.killed_at = time.time()
        time.sleep(2)  # what an orphaned worker would still be doing
        self.left_behind = dead.lambda_workers()
        for pid in self.left_behind:
            os.kill(pid, signal.SIGKILL)
        self.process = self._start(same_as=dead)
        self.up.set()
        return time.time() - self.killed_at

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One call to the REST API as the developer user; (0, reason) when nothing answers."""
        self.up.wait()
        cloud = self.process
        request = urllib.request.Request(
            cloud.settings.api_url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"content-type": "application/json", "Authorization": f"Bearer {cloud.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except (OSError, ValueError) as error:
            return 0, str(error)

    def table(self, output: str) -> Any:
        return self.process.resource("dynamodb").Table(self.outputs()[output])

    def outputs(self) -> dict[str, str]:
        cfn = self.process.client("cloudformation")
        nested = cfn.describe_stack_resource(
            StackName=self.process.settings.stack_name, LogicalResourceId="ContentJobs"
        )
        return {
            **self.process.outputs,
            **deploy.stack_outputs(cfn, nested["StackResourceDetail"]["PhysicalResourceId"]),
        }


class WorkerKiller(threading.Thread):
    """SIGKILLs a random Lambda worker of the cloud every `every` seconds."""

    def __init__(self, cloud: Cloud, every: float, rng: random.Random) -> None:
        super().__init__(name="worker-killer", daemon=True)
        self.cloud, self.every, self.rng = cloud, every, rng
        self.kills = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every):
            if not self.cloud.up.is_set():
                continue
            workers = self.cloud.process.lambda_workers()
            if workers:
                try:
                    os.kill(self.rng.choice(workers), signal.SIGKILL)
                    self.kills += 1
                except ProcessLookupError:
                    pass


def submit(cloud: Cloud, work: Work, patience: float = 300) -> None:
    """POST it until the API answers 202 (a retry carries the same id), or give up after `patience` s.
    A 409 ("another submission ... is in progress; send it again"), a 5xx or no answer is retried."""
    path = "/jobs" if work.kind == "job" else "/tasks"
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        status, answer = cloud.api("POST", path, work.body)
        if status == 202:
            work.accepted_at = time.time()
            return
        if 400 <= status < 500 and status not in (409, 429):
            work.refused = f"{status} {answer}"
            return
        time.sleep(1)
    work.refused = f"no 202 in {patience:.0f} s"


def plan(jobs: int, tasks: int, site: LocalHttp, rng: random.Random) -> tuple[list[Work], list[Work]]:
    """The jobs and tasks to submit, shuffled, and the content to generate (published later)."""
    run = f"{int(time.time())}"
    works: list[Work] = []
    generate = max(1, jobs // 20)
    permanent, transient = jobs * 15 // 100, jobs * 20 // 100
    noop = jobs - 2 * generate - permanent - transient

    def job(label: str, index: int, job_type: str, payload: dict[str, Any], expect: str) -> Work:
        job_id = f"drill-{run}-{label}-{index}"
        body = {"type": job_type, "payload": payload, "jobId": job_id}  # the token's organization
        return Work("job", job_id, label, body, expect)

    works += [job("noop", i, "NOOP", {}, "COMPLETED") for i in range(noop)]
    for i in range(transient):
        site.on("GET", f"/transient/{i}", Reply(503, "busy"), PAGE)
        works.append(job("scrape-transient", i, "SCRAPE_WEBSITE", _scrape(site, f"transient/{i}"), "COMPLETED"))
    works += [
        job("scrape-permanent", i, "SCRAPE_WEBSITE", _scrape(site, f"gone/{i}"), "FAILED") for i in range(permanent)
    ]
    content = [
        job("generate", i, "GENERATE_CONTENT", {"topic": f"drill topic {i}", "platforms": ["linkedin"]}, "COMPLETED")
        for i in range(generate)
    ]
    for i in range(tasks):
        task_id = f"drill-{run}-task-{i}"
        body: dict[str, Any] = {"taskId": task_id, "delayMs": rng.choice([0, 0, 500, 1000])}
        roll = rng.random()
        if roll < 0.1:
            works.append(Work("task", task_id, "task-permanent", {**body, "simulateFailure": True}, "FAILED"))
            continue
        if roll < 0.4:
            body.update(simulateFailure=True, failAtStep=rng.choice([2, 4]), failTimes=rng.choice([1, 2]))
            works.append(Work("task", task_id, "task-transient", body, "SUCCEEDED"))
            continue
        works.append(Work("task", task_id, "task-plain", body, "SUCCEEDED"))
    works += content
    rng.shuffle(works)
    return works, content


def _scrape(site: LocalHttp, path: str) -> dict[str, Any]:
    return {"sourceId": f"drill-source-{path.replace('/', '-')}", "url": f"{site.url}/{path}"}


def publish_jobs(cloud: Cloud, content: list[Work], platform: LocalHttp, outcomes: dict[str, Outcome]) -> list[Work]:
    """One PUBLISH_CONTENT per generated content item, each to an account of its own."""
    accounts = AccountStore(DataTable(cloud.table("JobDataTableName")))
    works = []
    for index, generated in enumerate(content):
        if outcomes.get(generated.id, Outcome(None)).status != "COMPLETED":
            continue
        account_id = f"drill-account-{generated.id}"
        accounts.connect(
            Account(
                id=account_id,
                organization_id=identity.LOCAL_ORGANIZATION,
                platform="linkedin",
                api_url=platform.url,
                access_token="access",
                refresh_token="refresh",
                token_expires_at="2099-01-01T00:00:00Z",
            )
        )
        platform.on("POST", f"/v1/accounts/{account_id}/posts", Reply(201, {"id": f"post-{index}", "url": "https://p"}))
        payload = {"contentId": generated.id, "accountId": account_id, "platform": "linkedin"}
        body = {"type": "PUBLISH_CONTENT", "payload": payload}
        works.append(
            Work("job", f"{generated.id}-publish", "publish", {**body, "jobId": f"{generated.id}-publish"}, "COMPLETED")
        )
    return works


def read_outcomes(cloud: Cloud, works: Iterable[Work]) -> dict[str, Outcome]:
    """Every job's and task's record as the tables hold it now."""
    wanted = {work.id for work in works}
    found: dict[str, Outcome] = {}
    queue_counts: dict[str, str] = {}  # read once per queue and pass
    for item in _scan(cloud.table("JobsTableName")):
        if item["id"] in wanted:
            detail = ""
            if item["status"] not in FINAL_JOB:
                if item["queue"] not in queue_counts:
                    queue_counts[item["queue"]] = _queue_counts(cloud, item["queue"])
                detail = _job_detail(item, queue_counts[item["queue"]])
            found[item["id"]] = Outcome(item["status"], str((item.get("error") or {}).get("type", "")), detail=detail)
    for item in _scan(cloud.table("TasksTableName")):
        if item.get("sk") == "TASK" and item["taskId"] in wanted:
            counters = {name: int(value) for name, value in (item.get("counters") or {}).items()}
            found[item["taskId"]] = Outcome(item["status"], str((item.get("error") or {}).get("type", "")), counters)
    return found


def _job_detail(item: dict[str, Any], queue_counts: str) -> str:
    """What to look at when a job does not end: its delivery state, and its queue's messages."""
    fields = ("attempts", "stalls", "delivery", "skipped", "unsentSinceMs", "nextAttemptMs", "heartbeatMs")
    record = ", ".join(f"{name} {item[name]}" for name in fields if name in item)
    return f"{record}, history {len(item.get('history') or [])}; {queue_counts}"


def _queue_counts(cloud: Cloud, queue: str) -> str:
    sqs = cloud.process.client("sqs")
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    counts = []
    for url in sqs.list_queues(QueueNamePrefix=f"{cloud.process.settings.stack_name}-jobs-{queue}")["QueueUrls"]:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        counts.append(f"{url.rsplit('/', 1)[-1]}: {attributes[names[0]]} visible, {attributes[names[1]]} in flight")
    return "; ".join(counts)


def counter_mismatches(cloud: Cloud) -> list[str]:
    """Where the job counters disagree with the records: each organization's RUNNING slots
    held against its RUNNING jobs, each queue's count per status against its jobs."""
    items = _scan(cloud.table("JobsTableName"))
    jobs = [item for item in items if "listKey" in item]
    running = collections.Counter(job["organizationId"] for job in jobs if job["status"] == "RUNNING")
    by_queue = collections.Counter((job["queue"], job["status"]) for job in jobs)
    mismatches = []
    for item in items:
        if item["id"].startswith("org#"):
            organization = item["id"].removeprefix("org#")
            held = int(item.get("running", 0))
            if held != running[organization]:
                mismatches.append(f"organization {organization}: {held} slots held, {running[organization]} RUNNING")
        elif item["id"].startswith("stats#"):
            queue = item["id"].removeprefix("stats#")
            for status, count in item.items():
                if status.isupper() and int(count) != by_queue[(queue, status)]:
                    mismatches.append(f"queue {queue}: {status} counted {count}, {by_queue[(queue, status)]} jobs")
    return mismatches


def _scan(table: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"ConsistentRead": True}
    while True:
        page = table.scan(**request)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def settle(cloud: Cloud, works: list[Work], quiet_seconds: float, say: Callable[[str], None]) -> dict[str, Outcome]:
    """Poll until every accepted job and task is final, or nothing changed for `quiet_seconds`."""
    accepted = [work for work in works if work.accepted_at]
    last: collections.Counter[str] = collections.Counter()
    last_change = time.monotonic()
    while True:
        outcomes = read_outcomes(cloud, accepted)
        counts = collections.Counter(str(outcomes.get(work.id, Outcome(None)).status) for work in accepted)
        if counts != last:
            last, last_change = counts, time.monotonic()
            say("  " + ", ".join(f"{status} {count}" for status, count in sorted(counts.items())))
        pending = [w for w in accepted if outcomes.get(w.id, Outcome(None)).status not in FINAL_JOB | FINAL_TASK]
        if not pending or time.monotonic() - last_change > quiet_seconds:
            return outcomes
        time.sleep(3)


def kill_cloud_midway(cloud: Cloud, works: list[Work], extra: dict[str, Any], say: Callable[[str], None]) -> None:
    """Once half the submissions are accepted: SIGKILL the cloud, start it again."""
    while sum(1 for work in works if work.accepted_at) < len(works) // 2:
        time.sleep(0.2)
    say("SIGKILL of the whole cloud")
    extra["cloud down (s)"] = round(cloud.kill_and_restart(), 1)
    say("the cloud is back")


def replay_interrupted(cloud: Cloud, tasks: list[Work], outcomes: dict[str, Outcome]) -> list[str]:
    """Replay the tasks whose executions the cloud's restart aborted, as a client would."""
    replayed = []
    for work in tasks:
        outcome = outcomes.get(work.id)
        if outcome and outcome.status == "FAILED" and outcome.error == INTERRUPTED:
            status, body = cloud.api("POST", f"/tasks/{work.id}/retry")
            if status == 202:
                replayed.append(work.id)
            else:
                print(f"  replay of {work.id} answered {status}: {body}")
    return replayed


def report(
    works: list[Work],
    outcomes: dict[str, Outcome],
    platform: LocalHttp,
    killer: WorkerKiller,
    cloud: Cloud,
    mismatches: list[str],
    **extra: Any,
) -> None:
    rows: dict[str, dict[str, int]] = {}
    unexpected: list[str] = []
    for kind in ("job", "task"):
        mine = [work for work in works if work.kind == kind]
        accepted = [work for work in mine if work.accepted_at]
        row = rows[kind] = collections.Counter()
        row["submitted"] = len(mine)
        row["accepted"] = len(accepted)
        unexpected += [f"refused   {work.id} ({work.label}): {work.refused}" for work in mine if work.refused]
        for work in accepted:
            outcome = outcomes.get(work.id, Outcome(None))
            if outcome.status is None:
                row["lost"] += 1
                late = cloud.killed_at is not None and work.accepted_at > cloud.killed_at - 2
                unexpected.append(
                    f"lost      {work.id} ({work.label}{', accepted < 2 s before the kill' if late else ''})"
                )
            elif outcome.status not in FINAL_JOB | FINAL_TASK:
                row["stuck"] += 1
                unexpected.append(f"stuck     {work.id} ({work.label}): {outcome.status} ({outcome.detail})")
            elif outcome.status == work.expect:
                row["completed" if work.expect in ("COMPLETED", "SUCCEEDED") else "failed as intended"] += 1
            else:
                row["ended otherwise"] += 1
                unexpected.append(f"otherwise {work.id} ({work.label}): {outcome.status} {outcome.error}")
            if any(count > 1 for count in outcome.counters.values()):
                row["effects applied twice"] += 1
                unexpected.append(f"twice     {work.id} ({work.label}): counters {outcome.counters}")
            if work.label == "publish":
                posts = len(platform.hits("POST", f"/v1/accounts/{work.body['payload']['accountId']}/posts"))
                if posts > 1:
                    row["effects applied twice"] += 1
                    unexpected.append(f"twice     {work.id} (publish): posted {posts} times")
    names = ["submitted", "accepted", "completed", "failed as intended", "ended otherwise", "stuck", "lost"]
    names.append("effects applied twice")
    print(f"\n{'':24}{'jobs':>8}{'tasks':>8}")
    for name in names:
        print(f"{name:24}{rows['job'][name]:>8}{rows['task'][name]:>8}")
    print(f"\nworkers SIGKILLed: {killer.kills}")
    print(f"job counters that disagree with the records: {len(mismatches)}")
    for line in mismatches:
        print(f"  {line}")
    for name, value in extra.items():
        print(f"{name}: {value}")
    if unexpected:
        print("\nnot as intended:")
        print("\n".join(f"  {line}" for line in sorted(unexpected)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--kill-every", type=float, default=2.0, help="seconds between worker kills (0: none)")
    parser.add_argument("--kill-cloud", action="store_true", help="SIGKILL the whole cloud once mid-run")
    parser.add_argument("--settle", type=float, default=420, help="seconds without change before giving up")
    parser.add_argument("--sfn-wait-scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep-log", type=Path, help="copy MiniStack's log here at the end")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()

    def say(line: str) -> None:
        print(f"[{time.monotonic() - started:6.0f} s] {line}", flush=True)

    site, platform = LocalHttp().start(), LocalHttp().start()
    with tempfile.TemporaryDirectory(prefix="fault-drill-") as work_dir:
        say("starting the local cloud")
        cloud = Cloud(Path(work_dir), args.sfn_wait_scale)
        killer = WorkerKiller(cloud, args.kill_every, rng)
        extra: dict[str, Any] = {}
        try:
            works, content = plan(args.jobs, args.tasks, site, rng)
            if args.kill_every > 0:
                killer.start()
            say(f"submitting {len(works)} jobs and tasks")
            if args.kill_cloud:
                threading.Thread(target=kill_cloud_midway, args=(cloud, works, extra, say), daemon=True).start()
            with ThreadPoolExecutor(6) as pool:
                list(pool.map(lambda work: submit(cloud, work), works))
            say("waiting for the generated content, to publish it")
            outcomes = settle(cloud, content, args.settle, say)
            publishing = publish_jobs(cloud, content, platform, outcomes)
            with ThreadPoolExecutor(6) as pool:
                list(pool.map(lambda work: submit(cloud, work), publishing))
            works += publishing
            say("waiting until every accepted job and task is final")
            outcomes = settle(cloud, works, args.settle, say)
            if args.kill_cloud:
                replayed = replay_interrupted(cloud, [w for w in works if w.kind == "task"], outcomes)
                extra["tasks replayed after the restart"] = len(replayed)
                if replayed:
                    outcomes = settle(cloud, works, args.settle, say)
                extra["workers left by the cloud kill"] = len(cloud.left_behind)
            mismatches = counter_mismatches(cloud)
        finally:
            killer.done.set()
            cloud.process.stop()
            if args.keep_log:
                shutil.copyfile(cloud.process.settings.log_file, args.keep_log)
            site.stop()
            platform.stop()
        report(works, outcomes, platform, killer, cloud, mismatches, **extra)
        say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
