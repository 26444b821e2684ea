"""Browser tests: the console in Debian's chromium, driven by Playwright for Python,
against a local cloud of their own started with its console (`localcloud.runner`,
`console=True`: the same hook `make up` uses). Chromium is launched by
`console.chromium` (`.ci/run` installs it). A failed test leaves a screenshot and
the page's HTML in `.test-artifacts/browser/`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console import chromium
from localcloud import runner
from localcloud.runner import CloudProcess

from ..integration.conftest import JOB_PARAMETERS, SFN_WAIT_SCALE

ARTIFACTS = Path(__file__).resolve().parents[2] / ".test-artifacts" / "browser"


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
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=45_000)  # a loaded 2-core machine: conditions are polled up to this long
    with sync_playwright() as playwright:
        try:
            launched = chromium.launch(playwright)
        except chromium.ChromiumMissing as missing:
            pytest.fail(f"{missing}, as .ci/run does")
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
