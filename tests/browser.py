"""The headless browser of the browser tests: Debian's Chromium, driven by playwright.

Playwright's own browser download does not work everywhere (it needs its CDN), so the tests
drive the system Chromium through ``executable_path``. ``scripts/ensure-browser`` (run by
``make test`` and so by ``.ci/run``) installs it with apt-get when it is missing.

A missing browser fails the browser tests: a skip would let CI pass without ever opening the
app or the report. A developer who cannot install Chromium (no root) sets
``LOYALTYSIM_SKIP_BROWSER=1``, and those tests are skipped with that reason.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

#: Set to 1 to skip the browser tests instead of failing them when no browser is installed.
SKIP_ENV = "LOYALTYSIM_SKIP_BROWSER"
#: Names of a Chromium binary, in the order they are looked for on PATH.
NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium_executable() -> str | None:
    """The path of a Chromium binary on PATH, or None."""
    return next((p for p in map(shutil.which, NAMES) if p), None)


def require_browser() -> str:
    """Chromium's path; fail the test without one (skip only if :data:`SKIP_ENV` is set)."""
    executable = chromium_executable()
    problem = None
    if executable is None:
        problem = "no Chromium on PATH (run scripts/ensure-browser, or apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright is not installed (the dev extra: pip install -e '.[dev]')"
    if problem is None:
        return executable
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{problem}; skipped because {SKIP_ENV}=1")
    pytest.fail(f"{problem}; set {SKIP_ENV}=1 to skip the browser tests instead", pytrace=False)


def needs_browser(test: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a test that opens a browser: :func:`require_browser` runs first."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> Any:
        require_browser()
        return test(*args, **kwargs)

    return run


@contextmanager
def open_page(
    url_or_path: str | Path,
    width: int = 1280,
    height: int = 900,
    before: Callable[[Any], None] | None = None,
) -> Iterator[Any]:
    """A playwright ``Page`` of headless Chromium, ``width`` x ``height``, at ``url_or_path``.

    A local path is opened as a ``file://`` URL. ``before(page)`` runs before the page
    loads (to listen to its requests, say). The browser closes on leaving the block.
    """
    from playwright.sync_api import sync_playwright

    executable = require_browser()
    url = str(url_or_path)
    if "://" not in url:
        url = Path(url).resolve().as_uri()
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            if before is not None:
                before(page)
            page.goto(url)
            yield page
        finally:
            browser.close()
