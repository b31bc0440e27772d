"""The dashboard in a real headless Chromium (Debian's /usr/bin/chromium + chromedriver, via selenium):
it loads with no console error, shows the position the loop opened, its pause control stops new entries,
a position closes from its row, and the destructive controls ask for a confirmation first."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from tests.support.browser import NO_BROWSER, NO_BROWSER_REASON, chromium
from tests.support.fakes import T0, trade_at
from tests.support.harness import SYMBOL, feed
from tests.unit.adapters.console.conftest import TOKEN, Served

pytestmark = pytest.mark.skipif(NO_BROWSER, reason=NO_BROWSER_REASON)
T = TypeVar("T")


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium(1400, 1700) as driver:
        yield driver


async def until(condition: Callable[[], object], within_sec: float = 30.0) -> None:
    """Wait, letting the event loop serve the page meanwhile."""
    for _ in range(int(within_sec / 0.1)):
        if await asyncio.to_thread(condition):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the page did not get there in time")


def fresh(act: Callable[[], T]) -> T:
    """`act` again when the page re-rendered its element between finding it and using it (the dashboard
    redraws its tables on every refresh: under load a click can land on the element just replaced)."""
    from selenium.common.exceptions import StaleElementReferenceException
    for _ in range(9):
        try:
            return act()
        except StaleElementReferenceException:
            time.sleep(0.05)
    return act()


def text_of(driver: Any, element_id: str) -> str:
    from selenium.webdriver.common.by import By
    return fresh(lambda: str(driver.find_element(By.ID, element_id).text))


def click(driver: Any, selector: str) -> None:
    from selenium.webdriver.common.by import By
    fresh(lambda: driver.find_element(By.CSS_SELECTOR, selector).click())


async def test_the_dashboard_shows_the_position_and_pause_stops_new_entries(served: Served, browser: Any,
                                                                            tmp_path: Path) -> None:
    h, shots = served.h, Path(os.environ.get("CONSOLE_SCREENSHOT_DIR", tmp_path))
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))  # the loop opens a position
    await asyncio.to_thread(browser.get, f"{served.url}/?token={TOKEN}")
    await until(lambda: SYMBOL in text_of(browser, "positions"))
    assert "NOT protected" not in text_of(browser, "positions")
    assert "PAPER" in text_of(browser, "venue") and "HEALTHY" in text_of(browser, "health")
    assert "token" not in browser.current_url
    await asyncio.to_thread(browser.save_screenshot, str(shots / "dashboard-position.png"))

    await asyncio.to_thread(click, browser, "#pause")
    await until(lambda: h.loop.entries_paused)
    await asyncio.to_thread(click, browser, "button.close")  # close the position from its row...
    await until(lambda: browser.find_element("id", "confirm").is_displayed())
    await asyncio.to_thread(click, browser, "#confirm-yes")  # ...once confirmed
    await until(lambda: h.loop._close_requests)
    placed = len(h.exchange.orders_placed())
    for step in range(1, 6):  # ten seconds of market: five scan intervals, no new entry while paused
        await feed(h, trade_at(SYMBOL, 1.0, T0 + 1_000 + step * 2_000))
    assert h.loop.open_positions() == () and h.journal.records[-1].exit_reason.value == "MANUAL"
    assert [o for o in h.exchange.orders_placed()[placed:] if o.side.value == "BUY"] == []
    await until(lambda: "no open position" in text_of(browser, "positions")
                and "MANUAL" in text_of(browser, "trades"))
    assert not browser.find_element("id", "paused").get_attribute("hidden")
    await asyncio.to_thread(browser.save_screenshot, str(shots / "dashboard-paused.png"))

    await asyncio.to_thread(click, browser, "#stop")  # a destructive control asks first: cancel
    await until(lambda: browser.find_element("id", "confirm").is_displayed())
    await asyncio.to_thread(click, browser, "#confirm button[value=no]")
    await asyncio.sleep(0.3)
    assert not h.loop.stopped
    await asyncio.to_thread(click, browser, "#stop")
    await until(lambda: browser.find_element("id", "confirm").is_displayed())
    await asyncio.to_thread(click, browser, "#confirm-yes")
    await until(lambda: h.loop.stopped)

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


async def test_the_dashboard_shows_the_gate_the_model_closed_why_and_reopens_it(browser: Any,
                                                                                tmp_path: Path) -> None:
    from tests.unit.adapters.console.conftest import console_config, serve
    from tests.unit.adapters.console.test_gate_notifications import lose_three, watched

    h = watched()
    _, service, _ = await serve(h, console_config())
    try:
        await h.loop.start()
        await asyncio.to_thread(browser.get, f"http://127.0.0.1:{service.port}/?token={TOKEN}")
        await until(lambda: "on, margin" in text_of(browser, "evgate"))
        assert browser.find_element("id", "gate").get_attribute("hidden")
        assert browser.find_element("id", "reopen").get_attribute("hidden")  # nothing to reopen yet
        await lose_three(h)  # three trades far below the model's promise: the guard closes the gate
        await until(lambda: text_of(browser, "evgate").startswith("CLOSED: model degraded: 3 trades"))
        assert "%/trade vs expected +0.20% (t=" in text_of(browser, "evgate")
        assert not browser.find_element("id", "gate").get_attribute("hidden")
        assert text_of(browser, "gate") == "EV GATE CLOSED"
        shots = Path(os.environ.get("CONSOLE_SCREENSHOT_DIR", tmp_path))
        await asyncio.to_thread(browser.save_screenshot, str(shots / "dashboard-gate-closed.png"))
        await until(lambda: not browser.find_element("id", "reopen").get_attribute("hidden"))
        await asyncio.to_thread(click, browser, "#reopen")  # the operator looked at the model: reopen
        await until(lambda: browser.find_element("id", "confirm").is_displayed())
        await asyncio.to_thread(click, browser, "#confirm-yes")
        await until(lambda: "on, margin" in text_of(browser, "evgate"))
        assert h.loop.gate_closed_reason() is None
        assert browser.find_element("id", "gate").get_attribute("hidden")
        assert browser.find_element("id", "reopen").get_attribute("hidden")
        errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []
    finally:
        await h.loop.stop()
        await service.__aexit__(None, None, None)
