"""The app in a real browser, offline: ``loyaltysim app`` driven in headless Chromium.

``test_app.py`` drives the page's widgets in Python; this test checks what only a browser
shows: that the page's JavaScript and CSS all come from this computer (the machine has no
route to the CDN, and the test fails on any request that leaves 127.0.0.1 or fails), that
the network view and the market-share plot are drawn, and that moving a slider, then
*Reset* and *Step*, redraws the plot for the new market.

Screenshots are saved in ``build/test-artefacts/`` (or ``$LOYALTYSIM_SCREENSHOTS``;
``scripts/app-screenshots`` regenerates the ones in ``docs/images/`` this way):

* ``app-start.png``: the page as it opens on the baseline (network view, empty plots);
* ``app-step.png``: after one *Step* (a week): the plots and the table filled in;
* ``app-reset-step.png``: after the price slider moved to its top, *Reset*, *Step*.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import matplotlib.image
import numpy as np
import pytest

from browser import needs_browser, open_page, require_browser
from conftest import REPO_ROOT
from loyaltysim.app.settings import ENV_SCENARIO, ENV_SETS, ENV_SHOP

SHOTS = Path(os.environ.get("LOYALTYSIM_SCREENSHOTS") or REPO_ROOT / "build/test-artefacts")
BASELINE = REPO_ROOT / "scenarios/baseline.toml"
#: Tall enough for the screenshots to show the table under the plots.
HEIGHT = 1300
#: Milliseconds to wait for the server to draw (the machine may be busy).
WAIT = 30_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """``loyaltysim app`` on the baseline, on a free port; stopped after the tests."""
    require_browser()  # before the server's start: no browser, no need to wait for it
    port = _free_port()
    env = {**os.environ, "PYTHONNOUSERSITE": "1"}
    for name in (ENV_SCENARIO, ENV_SETS, ENV_SHOP):
        env.pop(name, None)
    command = [sys.executable, "-m", "loyaltysim.cli", "app", str(BASELINE), "--no-open"]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                assert process.poll() is None, "loyaltysim app exited early"
                assert time.monotonic() < deadline, "loyaltysim app did not answer within 60 s"
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def pixels(png: bytes) -> np.ndarray:
    """The RGB pixels of a PNG screenshot, floats in [0, 1]."""
    return matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]


def drawn(png: bytes) -> bool:
    """Whether a screenshot of a figure shows a drawing, not a blank box."""
    rgb = pixels(png)
    return rgb.std() > 0.05 and (rgb.mean(axis=2) < 0.5).mean() > 0.002


class Requests:
    """Every request the page makes, and those that failed or went elsewhere."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.failed: list[str] = []

    def watch(self, page) -> None:
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on(
            "response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} ({r.status})")
        )

    def remote(self) -> list[str]:
        return [u for u in self.urls if urlparse(u).hostname not in ("127.0.0.1", None)]


def figures(page):
    """The page's four figures (network, market share, satisfaction, trust), in order."""
    images = page.locator(".vue-grid-item img")
    images.nth(3).wait_for(timeout=WAIT)
    assert images.count() == 4
    return images


def wait_for_day(page, day: int) -> None:
    page.get_by_text(f"Day {day} of 365").wait_for(timeout=WAIT)


def focal_share(page) -> float:
    """The focal shop's share of orders in the page's table, in percent."""
    cell = page.locator("tr", has_text="middle (levers)").locator("td").nth(2)
    return float(cell.inner_text().rstrip("%"))


def step_week(page, share) -> None:
    """Press *Step* and wait for the new week's share plot (a new image, not just the text)."""
    before = share.get_attribute("src")
    page.get_by_role("button", name="Step").click()
    wait_for_day(page, 7)
    page.wait_for_function("([img, old]) => img.src !== old", arg=[share.element_handle(), before])


@needs_browser
def test_app_offline_in_chromium(app_url: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    requests = Requests()
    with open_page(app_url, width=1280, height=HEIGHT, before=requests.watch) as page:
        wait_for_day(page, 0)
        images = figures(page)
        network, share = images.nth(0), images.nth(1)
        assert drawn(network.screenshot())  # the network view: customers and their ties
        page.screenshot(path=SHOTS / "app-start.png", full_page=True)

        step_week(page, share)
        first_week = share.screenshot()
        assert drawn(first_week)
        share_at_90 = focal_share(page)
        page.screenshot(path=SHOTS / "app-step.png", full_page=True)

        thumb = page.get_by_role("slider", name="middle: price")
        assert thumb.get_attribute("aria-valuenow") == "90"
        thumb.focus()
        thumb.press("End")  # the slider's top: 1.5 x the scenario's price
        assert thumb.get_attribute("aria-valuenow") == "135"
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("price 135").wait_for(timeout=WAIT)
        wait_for_day(page, 0)
        step_week(page, share)
        dearer = share.screenshot()
        assert drawn(dearer)
        assert dearer != first_week
        assert np.abs(pixels(dearer) - pixels(first_week)).mean() > 0.002
        assert focal_share(page) < share_at_90 - 5  # 37.2% at price 90, 23.1% at 135
        page.screenshot(path=SHOTS / "app-reset-step.png", full_page=True)

    assert requests.remote() == [], "the page asked for files from outside this computer"
    assert requests.failed == []
