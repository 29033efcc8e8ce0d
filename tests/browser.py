"""Headless Chromium for the page tests, driven by Selenium through the OS chromedriver.

Nothing is downloaded: the browser and its driver come from the system (Debian: ``apt-get
install chromium chromium-driver``; ``.ci/run`` installs them).  Outside CI a missing
browser skips the tests with the reason; under ``CI=true`` it fails them, so a CI run can
never pass with the browser checks quietly skipped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run")
"""Flags for a closed network and a shared machine (a fresh --user-data-dir is added)."""
OFFLINE = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",)
"""A browser offline but for this machine: every host name but 127.0.0.1 fails to resolve."""


FITS_SCRIPT = """
const de = document.documentElement, c = document.getElementById('controls');
const shown = [...c.children].filter(e => e.offsetParent !== null);
const tallest = Math.max(...shown.map(e => e.getBoundingClientRect().height));
const view = document.getElementById('view').getBoundingClientRect();
const table = document.querySelector('#caption table');
const scrolled = [...document.querySelectorAll('body *')].filter(e =>
    e.scrollHeight > e.clientHeight + 1
    && ['auto', 'scroll'].includes(getComputedStyle(e).overflowY));
const nodes = [...document.querySelectorAll('g.node')].map(g => g.getBoundingClientRect());
return {overflow: [de.scrollWidth - innerWidth, de.scrollHeight - innerHeight],
        oneLine: c.getBoundingClientRect().height < 1.5 * tallest
                 && shown.every(e => e.getBoundingClientRect().right <= innerWidth),
        tableCut: table ? table.getBoundingClientRect().bottom > innerHeight : false,
        scrolled: scrolled.map(e => e.id || e.tagName),
        wholeGraph: nodes.every(r => r.left >= view.left - 1 && r.right <= view.right + 1
                                     && r.top >= view.top - 1 && r.bottom <= view.bottom + 1)};
"""
"""How a step-through page fits its window or frame: ``overflow`` (px past the window, x
and y), ``oneLine`` (the toolbar on one line, inside the window), ``tableCut`` (the operand
table runs past the bottom), ``scrolled`` (elements with a scroll bar of their own) and
``wholeGraph`` (every node inside the view)."""


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def unavailable(reason: str) -> None:
    """Skip with ``reason``, or fail under CI (``CI=true``)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


def start_driver(width: int = 1200, height: int = 900, *, network_log: bool = False,
                 flags: tuple[str, ...] = ()) -> Iterator[Any]:
    """A headless Chromium WebDriver (skips or fails with the reason when there is none).

    ``network_log=True`` also records the DevTools network events, for
    :func:`requested_urls`; ``flags`` are more command-line flags (:data:`OFFLINE`...)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        unavailable('selenium is not installed: pip install -e ".[test]"')
    chromium = find_chromium()
    chromedriver = shutil.which("chromedriver")
    if chromium is None or chromedriver is None:
        unavailable("no headless Chromium: apt-get install chromium chromium-driver "
                    f"(chromium: {chromium}, chromedriver: {chromedriver})")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager fetch anything
    profile = tempfile.mkdtemp(prefix="autograd-lite-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for flag in (*CHROMIUM_FLAGS, *flags, f"--user-data-dir={profile}",
                 f"--window-size={width},{height}"):
        options.add_argument(flag)
    logs = {"browser": "ALL", **({"performance": "ALL"} if network_log else {})}
    options.set_capability("goog:loggingPrefs", logs)
    driver = webdriver.Chrome(service=Service(str(chromedriver)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def requested_urls(driver: Any) -> list[str]:
    """Every URL the browser asked for since the last call (needs ``network_log=True``)."""
    import json

    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls
