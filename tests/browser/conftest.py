"""Browser tests: the console in Debian's chromium, driven by Playwright for Python,
against a local cloud of their own started with its console (`localcloud.runner`,
`console=True`: the same hook `make up` uses).

Playwright's own browser download cannot work on these machines, so the tests
launch `/usr/bin/chromium` (`.ci/run` installs it) with the flags Chromium needs on a
closed network. A failed test leaves a screenshot and the page's HTML in
`.test-artifacts/browser/`.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localcloud import runner
from localcloud.runner import CloudProcess

from ..integration.conftest import JOB_PARAMETERS, SFN_WAIT_SCALE

CHROMIUM = os.environ.get("CONSOLE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / ".test-artifacts" / "browser"

pytestmark = pytest.mark.browser


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudProcess]:
    running = runner.start(
        tmp_path_factory.mktemp("console-cloud"),
        sfn_wait_scale=SFN_WAIT_SCALE,
        parameter_overrides=JOB_PARAMETERS,
        console=True,
    )
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=45_000)  # a loaded 2-core machine: conditions are polled up to this long
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, cloud: CloudProcess, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(base_url=cloud.settings.console_url, viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.set_default_timeout(45_000)
    try:
        yield opened
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            opened.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.html").write_text(opened.content())
        context.close()
