"""Take the README's console screenshots: an execution's graph and table view, the
queues page and a task's waterfall, from a local cloud of the script's own.

    .venv/bin/python scripts/console_screenshots.py [--out docs/console]

It starts a local cloud with its console on free ports (`localcloud.runner`),
submits demo tasks (one that fails at step 4, one whose step 4 succeeds on its
third attempt) and a scraping job that can never reach its site (it ends in its
DLQ), waits for them, and photographs the pages in Debian's chromium.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import sync_playwright

from console import chromium
from localcloud import runner
from localcloud.runner import CloudProcess

PROJECT_DIR = Path(__file__).resolve().parent.parent
VIEWPORT = {"width": 1400, "height": 900}
T = TypeVar("T")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "docs" / "console")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as state:
        print("starting a local cloud with its console ...", flush=True)
        cloud = runner.start(
            Path(state), sfn_wait_scale=0.1, parameter_overrides="JobBackoffSeconds=1,2,3", console=True
        )
        try:
            pages = prepare(cloud)
            photograph(cloud.settings.console_url, pages, args.out)
        finally:
            cloud.stop()
    return 0


def prepare(cloud: CloudProcess) -> dict[str, str]:
    """Run the work the pages show; the page of each screenshot, by file name."""
    stamp = time.strftime("%H%M%S")
    failed, retried = f"order-{stamp}-fails", f"order-{stamp}-retried"
    post(cloud, "/tasks", {"taskId": failed, "simulateFailure": True, "failAtStep": 4})
    post(cloud, "/tasks", {"taskId": retried, "simulateFailure": True, "failAtStep": 4, "failTimes": 2})
    post(cloud, "/tasks", {"taskId": f"order-{stamp}-ok", "delayMs": 1000})
    job = post(
        cloud,
        "/jobs",
        {
            "type": "SCRAPE_WEBSITE",
            "payload": {"sourceId": "blog", "url": "http://127.0.0.1:9/"},
        },
    )
    for task_id in (failed, retried):
        wait_for(lambda task_id=task_id: get(cloud, f"/tasks/{task_id}")["status"] in ("SUCCEEDED", "FAILED"))
    wait_for(lambda: get(cloud, f"/jobs/{job['id']}")["status"] == "FAILED")
    machine = cloud.outputs["DemoTaskStateMachineArn"]
    execution = machine.replace(":stateMachine:", ":execution:")
    return {
        "execution-graph.png": f"/executions/{execution}:{failed}?state=SimulateApiCall",
        "execution-table.png": f"/executions/{execution}:{retried}?view=table&state=SimulateApiCall",
        "queues.png": "/queues",
        "task-waterfall.png": f"/tasks/{retried}",
    }


def photograph(console_url: str, pages: dict[str, str], out: Path) -> None:
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        page = browser.new_page(base_url=console_url, viewport=VIEWPORT)
        for name, path in pages.items():
            page.goto(path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / name), full_page=True)
            print(f"  {out / name}", flush=True)
        browser.close()


def post(cloud: CloudProcess, path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        cloud.settings.api_url + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def get(cloud: CloudProcess, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(cloud.settings.api_url + path, timeout=30) as response:
        return json.loads(response.read())


def wait_for(condition: Callable[[], T], timeout: float = 120) -> T:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError("the demo work did not finish in time")
        time.sleep(0.5)
    return value


if __name__ == "__main__":
    sys.exit(main())
