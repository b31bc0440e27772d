"""PaperExchange: Binance's real filters (a recorded exchangeInfo served on 127.0.0.1), a paper balance,
the simulator behind the port; an unreachable or broken exchangeInfo is ExchangeUnavailable."""

from __future__ import annotations

import lzma
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from aiohttp import web

from adapters.clocks import SystemClock
from adapters.paper.exchange import PaperExchange, fetch_symbol_rules
from adapters.simulated.costs import SimulatorCosts
from domain.market_events import TradeHappened
from domain.values import Trade
from ports.errors import ExchangeUnavailable

Serve = Callable[[web.Response], AbstractAsyncContextManager[str]]


@pytest.fixture(scope="module")
def exchange_info_text(recorded: Path) -> str:
    """The full, real exchangeInfo of 2021-10-12 (1,695 symbols)."""
    with lzma.open(recorded / "cryptofeed_raw" / "BINANCE.0.txt.xz", "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("https://api.binance.com/api/v3/exchangeInfo"):
                return line.split(": ", 1)[1]
    raise AssertionError("no exchangeInfo line in BINANCE.0.txt.xz")


@pytest.fixture
def serving() -> Serve:
    """`async with serving(response) as base_url:` a server answering GET /api/v3/exchangeInfo."""
    @asynccontextmanager
    async def serve(response: web.Response) -> AsyncIterator[str]:
        calls: list[str] = []

        async def exchange_info(request: web.Request) -> web.Response:
            calls.append(request.path)
            return response

        app = web.Application()
        app.router.add_get("/api/v3/exchangeInfo", exchange_info)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        try:
            yield f"http://127.0.0.1:{runner.addresses[0][1]}"
        finally:
            await runner.cleanup()
    return serve


def paper(url: str) -> PaperExchange:
    return PaperExchange(url, {"USDT": Decimal(30)}, SystemClock(), SimulatorCosts(latency_ms=0))


async def test_rules_come_from_the_exchange_info(serving: Serve, exchange_info_text: str) -> None:
    async with serving(web.Response(text=exchange_info_text, content_type="application/json")) as url:
        rules = await fetch_symbol_rules(url + "/")
    assert len(rules) == 1695
    nkn = rules["NKNUSDT"]
    assert (nkn.base_asset, nkn.quote_asset) == ("NKN", "USDT") and nkn.tick_size > 0 and nkn.step_size > 0


async def test_the_paper_account_trades_on_those_rules(serving: Serve, exchange_info_text: str) -> None:
    exchange = paper("http://unused")
    with pytest.raises(RuntimeError, match="before the trading loop entered it"):
        await exchange.balances()
    exchange.observe(TradeHappened(Trade("NKNUSDT", 0.5, 10.0, 1, False, 1)))  # ignored: not entered yet
    async with serving(web.Response(text=exchange_info_text, content_type="application/json")) as url:
        exchange.rest_url = url
        async with exchange:
            simulated = exchange.simulated
            assert "NKNUSDT" in await exchange.symbol_rules()
        async with exchange:  # entered again (a restart of the loop): the same account, no new fetch
            assert exchange.simulated is simulated
    balances = await exchange.balances()
    assert balances["USDT"].free == Decimal(30) and await exchange.open_orders() == []


@pytest.mark.parametrize(("response", "why"), [
    (web.Response(status=503, text="maintenance"), "HTTP 503"),
    (web.Response(text="{not json", content_type="application/json"), "JSONDecodeError"),
    (web.Response(text='{"symbols": "none"}', content_type="application/json"), "'symbols' array"),
])
async def test_a_broken_exchange_info_is_unavailable(serving: Serve, response: web.Response,
                                                     why: str) -> None:
    async with serving(response) as url:
        with pytest.raises(ExchangeUnavailable, match=why):
            async with paper(url):
                pass


async def test_an_unreachable_exchange_info_is_unavailable() -> None:
    with pytest.raises(ExchangeUnavailable, match=r"127\.0\.0\.1:9/api/v3/exchangeInfo"):
        await fetch_symbol_rules("http://127.0.0.1:9", timeout_sec=2)
