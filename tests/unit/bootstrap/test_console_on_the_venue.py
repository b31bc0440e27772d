"""`paper --venue` with the console on: the real command in a subprocess, the real feed, exchange and
model against the local venue; the dashboard in headless Chromium shows the position the bot opened,
/metrics counts its trades, pause stops new entries, and the stop control ends the run (exit 0)."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from tests.support.browser import NO_BROWSER, chromium
from tests.unit.bootstrap.test_paper_command import clean_env, write_config

from adapters.simulated.venue.app import create_venue_app, serve_venue
from adapters.simulated.venue.data import VenueData
from adapters.simulated.venue.state import VenueConfig

SPEED = 600.0
TOKEN = "venue-console-test-token"
HAS_BROWSER = not NO_BROWSER  # in CI the browser part always runs (scripts/test installs it)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def trades_total(text: str) -> float:
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "cryptoscalper_trades_total")


async def poll(http: aiohttp.ClientSession, url: str, test: Any, within_sec: float = 60.0) -> Any:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body: Any = None
    for _ in range(int(within_sec / 0.25)):
        try:
            async with http.get(url, headers=headers) as r:
                body = await (r.json() if r.content_type == "application/json" else r.text())
        except aiohttp.ClientConnectionError:  # the bot is still starting
            body = None
        if body is not None and test(body):
            return body
        await asyncio.sleep(0.25)
    raise AssertionError(f"{url} never got there: {body!r}"[:2000])


def dashboard_shows(url: str, shot: Path) -> str:
    """Open the dashboard until it shows an open position (at x600 one lives a second or two, and the
    next may be on another pair); its screenshot; the venue badge."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with chromium(1400, 1700) as driver:
        driver.get(f"{url}/?token={TOKEN}")
        WebDriverWait(driver, 60, poll_frequency=0.1).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "#positions button.close"))
        driver.save_screenshot(str(shot))
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
        return str(driver.find_element(By.ID, "venue").text)


async def test_the_console_watches_and_steers_paper_on_the_venue(
        tmp_path: Path, repo_root: Path, paper_model_path: Path, venue_data: VenueData) -> None:
    port = free_port()
    config = write_config(tmp_path, paper_model_path)
    with config.open("a", encoding="utf-8") as file:
        file.write(f"console: {{enabled: true, port: {port}}}\n")
    env = {**clean_env(repo_root), "CRYPTOSCALPER_CONSOLE_TOKEN": TOKEN}
    url = f"http://127.0.0.1:{port}"
    shots = Path(os.environ.get("CONSOLE_SCREENSHOT_DIR", tmp_path))
    app = create_venue_app(venue_data, speed=SPEED, config=VenueConfig(tick_sec=0.05))
    out_path, err_path = tmp_path / "paper.out", tmp_path / "paper.err"
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
    # The bot's output goes to files: a pipe nobody reads fills up and blocks the bot mid-test.
    with out_path.open("wb") as out_file, err_path.open("wb") as err_file:
        async with serve_venue(app) as venue, session as http:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bootstrap", "--config", str(config), "paper", "--venue",
                venue.rest_url, "--speed", str(SPEED), cwd=tmp_path, env=env, stdout=out_file,
                stderr=err_file)
            await steer(process, http, url, venue.rest_url, shots)
    out, err = out_path.read_text(encoding="utf-8"), err_path.read_text(encoding="utf-8")
    assert process.returncode == 0, err[-3000:]
    assert out.startswith("paper: stopped (stop asked by the operator)")
    assert TOKEN not in err + out


async def settled(http: aiohttp.ClientSession, url: str) -> Any:
    """The risk book once paused entries have settled: no position open and no trade counted for a second
    (an entry already under way when the pause arrived completes; the pause stops the next ones)."""
    for _ in range(30):
        first = await poll(http, url, lambda b: b["open_positions"] == 0)
        await asyncio.sleep(1.0)
        again = await poll(http, url, lambda b: True)
        if again["open_positions"] == 0 and again["trades_today"] == first["trades_today"]:
            return again
    raise AssertionError("entries never settled after the pause")


async def steer(process: asyncio.subprocess.Process, http: aiohttp.ClientSession, url: str, venue_url: str,
                shots: Path) -> None:
    """Watch the bot through the console, then pause it and stop it from there."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        status = await poll(http, f"{url}/api/status", lambda b: isinstance(b, dict) and b["running"])
        assert status["venue"] == f"VENUE {venue_url}" and status["mode"] == "paper"
        positions = await poll(http, f"{url}/api/positions", lambda b: b != [])
        assert positions[0]["oco_list_id"] >= 0
        if HAS_BROWSER:
            venue_badge = await asyncio.to_thread(dashboard_shows, url, shots / "venue-dashboard.png")
            assert venue_badge.startswith("VENUE http://127.0.0.1:")
        await poll(http, f"{url}/metrics", lambda text: trades_total(text) >= 1)

        async with http.post(f"{url}/api/pause", headers=headers) as r:
            assert r.status == 200
        risk = await settled(http, f"{url}/api/risk")
        await asyncio.sleep(2.0)  # 20 minutes of market at x600: the bot would have entered again
        later = await poll(http, f"{url}/api/risk", lambda b: True)
        assert later["trades_today"] == risk["trades_today"]  # no entry while paused
        async with http.post(f"{url}/api/stop", headers=headers) as r:
            assert r.status == 200
        await asyncio.wait_for(process.wait(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
