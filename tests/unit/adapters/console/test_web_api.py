"""The REST API and its token check, against the console served on 127.0.0.1 beside a loop on fakes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from loguru import logger
from tests.support.fakes import T0, trade_at
from tests.support.harness import SYMBOL, feed
from tests.unit.adapters.console.conftest import TOKEN, Served

READS = ["/api/status", "/api/positions", "/api/trades", "/api/risk", "/api/decisions", "/api/candidates",
         "/api/equity", "/api/stream", "/metrics", "/health"]
CONTROLS = ["/api/pause", "/api/resume", "/api/stop", "/api/kill-switch/reset", "/api/model-gate/reopen",
            f"/api/positions/{SYMBOL}/close"]


async def get(s: Served, path: str, **headers: str) -> tuple[int, Any]:
    async with s.http.get(s.url + path, headers={**s.auth, **headers}) as r:
        return r.status, await r.json()


async def post(s: Served, path: str) -> tuple[int, Any]:
    async with s.http.post(s.url + path, headers=s.auth) as r:
        return r.status, await r.json()


@pytest.mark.parametrize("path", READS)
async def test_every_read_needs_the_token(served: Served, path: str) -> None:
    async with served.http.get(served.url + path) as r:
        assert r.status == 401
    async with served.http.get(served.url + path, headers={"Authorization": "Bearer nope"}) as r:
        assert r.status == 403


@pytest.mark.parametrize("path", CONTROLS)
async def test_every_control_is_refused_without_the_token(served: Served, path: str) -> None:
    async with served.http.post(served.url + path) as r:
        assert r.status == 401
    async with served.http.post(served.url + path, headers={"Authorization": "Bearer nope"}) as r:
        assert r.status == 403
    assert not served.h.loop.entries_paused and not served.h.loop.stopped


async def test_the_page_asks_to_log_in_and_a_token_in_the_url_becomes_a_cookie(served: Served) -> None:
    async with served.http.get(served.url + "/", allow_redirects=False) as r:
        assert r.status == 302 and r.headers["Location"] == "/login"
    async with served.http.get(f"{served.url}/?token={TOKEN}", allow_redirects=False) as r:
        assert r.status == 302 and "token" not in r.headers["Location"]
        assert r.cookies["cs_token"]["httponly"]
    async with served.http.get(served.url + "/api/status") as r:  # the session now holds the cookie
        assert r.status == 200
    async with served.http.post(served.url + "/api/pause") as r:  # a cookie alone cannot steer
        assert r.status == 403
    async with served.http.post(served.url + "/api/pause", headers={"X-Console": "1"}) as r:
        assert r.status == 200 and served.h.loop.entries_paused


async def test_the_login_form_sets_the_cookie_only_for_the_right_token(served: Served) -> None:
    async with served.http.post(served.url + "/login", data={"token": "wrong"}, allow_redirects=False) as r:
        assert r.headers["Location"].startswith("/login")
    async with served.http.post(served.url + "/login", data={"token": TOKEN}, allow_redirects=False) as r:
        assert r.headers["Location"] == "/" and "cs_token" in r.cookies


async def test_positions_trades_and_closing_one_position(served: Served) -> None:
    h = served.h
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    status, positions = await get(served, "/api/positions")
    assert status == 200 and [p["symbol"] for p in positions] == [SYMBOL]
    assert positions[0]["oco_list_id"] >= 0
    status, risk = await get(served, "/api/risk")
    assert risk["trades_today"] == 1 and risk["kill_switch_active"] is False

    assert (await post(served, "/api/positions/XYZUSDT/close"))[0] == 404
    status, answer = await post(served, f"/api/positions/{SYMBOL}/close")
    assert status == 202 and answer["ok"]
    await post(served, "/api/pause")  # else the next scan enters again
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 3_000))
    assert (await get(served, "/api/positions"))[1] == []
    trades = (await get(served, "/api/trades"))[1]
    assert [t["exit_reason"] for t in trades] == ["MANUAL"]
    status, body = await get(served, "/api/status")
    assert body["trade_count"] == 1 and body["entries_paused"] and body["mode"] == "backtest"


async def test_pause_resume_stop_and_kill_switch_reset(served: Served) -> None:
    assert (await post(served, "/api/pause"))[0] == 200 and served.h.loop.entries_paused
    assert (await post(served, "/api/resume"))[0] == 200 and not served.h.loop.entries_paused
    served.h.risk.update_equity(10.0, T0)
    assert (await post(served, "/api/kill-switch/reset"))[1]["message"].startswith("kill switch reset")
    assert not served.h.risk.kill_switch_active
    status, body = await post(served, "/api/model-gate/reopen")
    assert status == 200 and body["message"] == "the model's health watch has not closed the EV gate"
    assert (await get(served, "/api/status"))[1]["ev_gate"]["model_closed"] is False
    assert (await post(served, "/api/stop"))[0] == 200 and served.h.loop.stopped


async def test_health_turns_unhealthy_when_the_feed_goes_quiet(served: Served) -> None:
    await feed(served.h, trade_at(SYMBOL, 1.0, T0 + 100))
    status, body = await get(served, "/health")
    assert status == 200 and body["healthy"]
    served.h.clock.advance_to(T0 + 31_000)  # 30 s without a market event
    status, body = await get(served, "/health")
    assert status == 503 and body["feed"]["stale"]


async def test_the_token_is_never_logged(served: Served) -> None:
    said: list[str] = []
    sink = logger.add(lambda m: said.append(str(m)), level="TRACE")
    try:
        async with served.http.get(f"{served.url}/api/status?token={TOKEN}") as r:
            assert r.status == 200
        await get(served, "/api/status")
        await post(served, "/api/pause")
    finally:
        logger.remove(sink)
    assert not any(TOKEN in line for line in said)


async def test_a_port_already_taken_is_one_clear_configuration_error(served: Served) -> None:
    from tests.unit.adapters.console.conftest import console_config

    from adapters.console.service import ConsoleService
    from ports.errors import ConfigurationError

    taken = replace(console_config(), port=served.service.port)
    with pytest.raises(ConfigurationError, match=f"cannot listen on 127.0.0.1:{served.service.port}"):
        await ConsoleService(served.state, taken, served.h.clock).__aenter__()


@pytest.mark.parametrize(("path", "status"), [("/login", 200), ("/static/style.css", 200),
                                              ("/static/app.js", 302), ("/static/index.html", 302)])
async def test_only_the_login_page_and_its_style_are_open(served: Served, path: str, status: int) -> None:
    async with served.http.get(served.url + path, allow_redirects=False) as r:  # 302: to the login page
        assert r.status == status
