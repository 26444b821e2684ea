"""Launch Debian's chromium for Playwright: what the browser tests and the README's
screenshot script use. Playwright's own browser download cannot work on these
machines; Chromium also needs its background networking off on a closed network."""

from __future__ import annotations

import os
import shutil
from typing import Any

CHROMIUM = os.environ.get("CONSOLE_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class ChromiumMissing(RuntimeError):
    """No chromium where the console's browser tools look for it."""


def launch(playwright: Any) -> Any:
    """A headless chromium browser, from a Playwright instance (`sync_playwright()`)."""
    if not shutil.which(CHROMIUM):
        raise ChromiumMissing(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
