"""Headless-Chromium helpers for browser tests (Playwright's sync API with the system Chromium).

Tests that use :func:`chromium_page` skip cleanly when Playwright is not installed or
``/usr/bin/chromium`` is missing (install it with ``.ci/install-browser.sh``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("ATTRIBUTION_CHROMIUM", "/usr/bin/chromium"))


def require_browser() -> None:
    """Skip the calling test unless Playwright and the system Chromium are available.

    Under CI (``CI`` set) a missing browser fails instead: CI installs it, so a skip would hide a broken set-up.
    """
    missing = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "playwright is not installed (pip install playwright)"
    if missing is None and not CHROMIUM.exists():
        missing = f"{CHROMIUM} not found (run .ci/install-browser.sh; do not use `playwright install`)"
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)


@contextmanager
def chromium_page(**context_options: Any) -> Iterator[Any]:
    """A fresh Playwright page in headless system Chromium, closed afterwards."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            context = browser.new_context(**context_options)
            page = context.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()
