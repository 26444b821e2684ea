"""Small helpers shared by the benchmarks: percentiles, waiting, GraphQL calls, the local
cloud's CPU time, and the table that sets a Conveyor figure beside the raw platform's."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from localcloud.runner import CloudProcess

T = TypeVar("T")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    return f"p50 {percentile(values, 50):7.1f} ms   p99 {percentile(values, 99):7.1f} ms   (n={len(values)})"


def wait_until(condition: Callable[[], T], timeout: float = 60, interval: float = 0.01) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("benchmark condition not met")


class GraphqlClient:
    """`POST /graphql` of a local cloud as its developer user; an operation's `data`."""

    def __init__(self, cloud: CloudProcess) -> None:
        self._url = f"{cloud.settings.api_url}/graphql"
        self._token = cloud.token

    def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables}).encode()
        headers = {"content-type": "application/json", "Authorization": f"Bearer {self._token}"}
        request = urllib.request.Request(self._url, data=body, method="POST", headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        if answer.get("errors"):
            raise RuntimeError(answer["errors"])
        return answer["data"]


def cloud_cpu_seconds(cloud: CloudProcess) -> float:
    """User + system CPU seconds of the local cloud's process and all its descendants (its
    Lambda workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        pid = int(entry.name)
        parents[pid] = int(fields[1])  # field 4, ppid
        cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks  # fields 14 and 15, utime and stime
    tree = {cloud.process.pid}
    while True:
        grown = tree | {pid for pid, parent in parents.items() if parent in tree}
        if grown == tree:
            break
        tree = grown
    return sum(cpu.get(pid, 0.0) for pid in tree)


def load_average() -> float:
    """The machine's 1-minute load average: read every figure beside it."""
    return os.getloadavg()[0]


@dataclass(frozen=True)
class Comparison:
    """One figure of Conveyor beside the raw platform doing the same work in the same run.

    `higher_is_better` says which way the ratio reads: a rate (jobs/s) is Conveyor/raw, a
    latency is raw/Conveyor, so 100% is "as good as the platform" either way."""

    figure: str
    conveyor: float
    raw_name: str
    raw: float
    unit: str
    higher_is_better: bool = True
    cpu_ms: tuple[float, float] | None = None  # per unit of work: Conveyor, raw
    load: float = 0.0

    @property
    def ratio(self) -> float:
        if self.higher_is_better:
            return self.conveyor / self.raw
        return self.raw / self.conveyor


def print_comparisons(title: str, rows: Sequence[Comparison]) -> None:
    print(title)
    print(
        f"  {'figure':<34}{'Conveyor':>14}   {'raw platform, same run':<40}{'raw':>12}{'ratio':>8}"
        f"{'CPU-ms each':>16}{'load':>7}"
    )
    for row in rows:
        cpu = f"{row.cpu_ms[0]:.1f} / {row.cpu_ms[1]:.1f}" if row.cpu_ms else ""
        print(
            f"  {row.figure:<34}{row.conveyor:>9.1f} {row.unit:<4}   {row.raw_name:<40}{row.raw:>7.1f} {row.unit:<4}"
            f"{row.ratio:>8.0%}{cpu:>16}{row.load:>7.1f}"
        )
