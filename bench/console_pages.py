"""The console's executions list with 1,000 executions: how long the page takes.

    .venv/bin/python bench/console_pages.py [--executions 1000] [--rounds 30]

Starts a local cloud with its console on free ports, a one-state machine, and
that many executions of it; then times the executions list (the first page of
50, newest first), the list filtered by status, a name search that reads every
execution, and the page's load in chromium (navigation to the load event).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from figures import summary, wait_until
from playwright.sync_api import sync_playwright

from console import chromium
from localcloud import runner

DEFINITION = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        cloud = runner.start(Path(state), console=True)
        try:
            sfn = cloud.client("stepfunctions")
            machine = sfn.create_state_machine(
                name="bench-console", definition=json.dumps(DEFINITION), roleArn="arn:aws:iam::000000000000:role/bench"
            )["stateMachineArn"]
            started = time.monotonic()
            for number in range(args.executions):
                sfn.start_execution(stateMachineArn=machine, name=f"bench-{number:05d}", input="{}")
            wait_until(
                lambda: not sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"],
                timeout=300,
                interval=0.5,
            )
            print(f"{args.executions} executions started and ended in {time.monotonic() - started:.1f} s")
            base = f"{cloud.settings.console_url}/state-machines/{machine}"
            pages = {
                "executions list, first page of 50": base,
                "filtered by status SUCCEEDED": f"{base}?status=SUCCEEDED",
                "name search reading all (no match)": f"{base}?name=no-such-name",
            }
            for what, url in pages.items():
                print(f"{what:<40} {summary(timed_gets(url, args.rounds))}")
            print(f"{'in chromium, navigation to load event':<40} {summary(browser_loads(base, args.rounds))}")
        finally:
            cloud.stop()
    return 0


def timed_gets(url: str, rounds: int) -> list[float]:
    urllib.request.urlopen(url, timeout=60).read()  # warm: the state machine's layout is cached
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
        times.append((time.perf_counter() - began) * 1000)
    return times


def browser_loads(url: str, rounds: int) -> list[float]:
    times = []
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        page = browser.new_page()
        page.goto(url)
        for _ in range(rounds):
            page.goto(url, wait_until="load")
            times.append(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
        browser.close()
    return times


if __name__ == "__main__":
    sys.exit(main())
