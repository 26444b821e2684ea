"""Shared test helpers."""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TypeVar

PROJECT_DIR = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def load_handler(function_dir: str) -> ModuleType:
    """Import functions/<function_dir>/app.py afresh, as a Lambda cold start does.

    A handler builds its objects from the environment when it is imported, so a test
    loads it after setting up its AWS resources and environment. Its folder goes on
    sys.path, as Lambda puts the code folder there, so sibling modules import."""
    folder = PROJECT_DIR / "functions" / function_dir
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    name = "handler_" + function_dir.replace("/", "_")
    spec = importlib.util.spec_from_file_location(name, folder / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def wait_for(condition: Callable[[], T], timeout: float = 30, interval: float = 0.1, what: str = "condition") -> T:
    """Poll until `condition()` is truthy and return it; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def pytest_collection_modifyitems(items: list) -> None:
    """Mark tests by where they run: `-m "not integration and not browser"` runs the unit tests only."""
    import pytest

    for item in items:
        parts = Path(str(item.fspath)).relative_to(PROJECT_DIR / "tests").parts
        if parts[0] in ("integration", "browser"):
            item.add_marker(getattr(pytest.mark, parts[0]))
