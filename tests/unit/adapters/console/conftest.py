"""A console served on 127.0.0.1 (a free port) beside a whole trading loop wired on fakes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr
from tests.support.fakes import FakeModel, good
from tests.support.harness import Harness, build

from adapters.console.config import ConsoleConfig, NotifyConfig, TelegramConfig
from adapters.console.service import ConsoleService
from application.console_state import ConsoleState
from application.recent_trades import RecentTrades

TOKEN = "t0ken-for-tests-only"


@dataclass
class Served:
    h: Harness
    state: ConsoleState
    service: ConsoleService
    trades: RecentTrades
    http: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.service.port}"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {TOKEN}"}


def console_config(*, urls: tuple[str, ...] = (), telegram: TelegramConfig | None = None,
                   each_trade: bool = False) -> ConsoleConfig:
    return ConsoleConfig(token=SecretStr(TOKEN), host="127.0.0.1", port=0, telegram=telegram,
                         notify=NotifyConfig(urls=tuple(SecretStr(u) for u in urls), each_trade=each_trade))


async def serve(h: Harness, config: ConsoleConfig) -> tuple[ConsoleState, ConsoleService, RecentTrades]:
    trades = RecentTrades(h.journal)
    h.loop.account._journal = trades  # what bootstrap/console_wiring does through the container
    state = ConsoleState(h.loop, trades, h.clock, venue="PAPER")
    service = ConsoleService(state, config, h.clock)
    trades.subscribe(service.on_trade)
    await service.__aenter__()
    return state, service, trades


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    h = build(model=FakeModel(good))
    state, service, trades = await serve(h, console_config())
    await h.loop.start()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:  # an IP host
        yield Served(h, state, service, trades, http)
    await h.loop.stop()
    await service.__aexit__(None, None, None)


@pytest.fixture
async def webhook() -> AsyncIterator[tuple[int, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield port, received
    await runner.cleanup()


async def until(condition: Any, within_sec: float = 5.0) -> None:
    for _ in range(int(within_sec / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")
