"""A real headless Chromium (Debian's /usr/bin/chromium, driven by its chromedriver through selenium; no
browser download) that opens a report from disk and says what rendered and what the console complained of.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
# Without Debian's chromium and chromium-driver the browser tests skip with this line, except in CI
# (CI=true), where scripts/test installs them: there a missing browser is a failure, never a skip.
NO_BROWSER = not (CHROMIUM.exists() and CHROMEDRIVER.exists()) and not os.environ.get("CI")
NO_BROWSER_REASON = ("no /usr/bin/chromium + chromedriver (Debian packages chromium, chromium-driver): "
                     "the browser tests run in CI")
PLOTS = "document.querySelectorAll('.plotly-graph-div').length"
# a chart has rendered when plotly has drawn its svg (and the traces in it)
DRAWN = ("return Array.from(document.querySelectorAll('.plotly-graph-div'))"
         ".filter(d => d.querySelector('svg.main-svg') && d.querySelector('.trace')).length")


@dataclass(frozen=True)
class PageCheck:
    charts: int
    drawn: int
    errors: list[str]  # console messages at SEVERE level (errors)


@contextmanager
def chromium(width: int = 1280, height: int = 1200) -> Iterator[Any]:
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium manager: never fetch a driver or a browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--hide-scrollbars", "--no-proxy-server"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


def open_report(driver: Any, path: Path, timeout_s: float = 20.0) -> PageCheck:
    driver.get(path.resolve().as_uri())
    deadline = time.monotonic() + timeout_s
    charts = int(driver.execute_script(f"return {PLOTS}"))
    drawn = int(driver.execute_script(DRAWN))
    while drawn < charts and time.monotonic() < deadline:
        time.sleep(0.2)
        drawn = int(driver.execute_script(DRAWN))
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    return PageCheck(charts, drawn, errors)


def screenshots(driver: Any, path: Path, stem: Path, step: int = 1100) -> list[Path]:
    """The whole page as PNGs, one a screen (for a person to look at)."""
    driver.get(path.resolve().as_uri())
    time.sleep(1.0)
    out = []
    for i, y in enumerate(range(0, int(driver.execute_script("return document.body.scrollHeight")), step)):
        driver.execute_script(f"window.scrollTo(0, {y})")
        time.sleep(0.2)
        shot = stem.with_name(f"{stem.name}-{i}.png")
        driver.save_screenshot(str(shot))
        out.append(shot)
    return out
