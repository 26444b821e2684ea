"""Small helpers shared by the benchmarks: percentiles, waiting, GraphQL calls."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
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
