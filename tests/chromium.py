"""Headless Chromium for the browser tests (Debian's chromium, driven by Playwright).

Chromium comes from ``make browser``. Without it the browser tests skip, except under
``CI=true``, where a missing browser is a failure. The ``browser`` fixture (one Chromium
per test module) is in ``conftest.py``; screenshots go to :data:`ARTIFACTS` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing(what: str) -> None:
    """Skip (fail under ``CI=true``) because ``what`` is not there."""
    msg = f"{what}; run `make browser`"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg)
    pytest.skip(msg)


def launch() -> Iterator[Any]:
    """Headless Chromium with a fresh temporary profile, closed afterwards."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        missing("chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a dev dependency
        missing("playwright (Python) is not installed")
    with sync_playwright() as p:
        # Playwright runs Chromium headless with a fresh temporary --user-data-dir
        b = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
