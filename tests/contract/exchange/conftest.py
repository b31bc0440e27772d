"""Harness of the Exchange-port contract: one `env` fixture parametrized over adapters.

Every contract test talks to `env.exchange` (the port) and moves the market only through `env.market`,
a small adapter-neutral MarketDriver:
* `await env.market.liquid_market(symbol)` makes the symbol tradable with a deep two-sided book (or
  just reads the real one) and returns a reference mid price;
* `await env.market.print_trade(symbol, price)` makes a trade print at `price`, so resting orders the
  price went through fill. A market that cannot be moved (the real testnet) skips the test.

Adapters today:
* "fake": the FakeExchange that the use-case tests trust (tests/support), so it is held to the same
  contract; "paper": PaperExchange on the local venue's filters (more_envs.py);
* "simulated": SimulatedExchange on real BTCUSDT rules (a recorded exchangeInfo) and a real depth
  snapshot, fed through observe_book/observe_trade.
* "venue": BinanceExchange against the local venue on 127.0.0.1 (venue/trading.py: the same matching
  engine behind Binance's signed REST and WebSocket API), on recorded 2026 BTCUSDT klines; its driver
  pins the venue's book around the replayed price and prints trades into the venue's engine.
* "testnet": BinanceExchange.testnet() against Binance's spot testnet; skipped unless
  BINANCE_TESTNET_API_KEY and BINANCE_TESTNET_API_SECRET are set (the only test here leaving loopback).

To add an adapter (e.g. "venue": BinanceExchange pointed at the local venue on 127.0.0.1):
1. write `@asynccontextmanager async def venue_env() -> AsyncIterator[ExchangeEnv]` that starts what it
   needs, yields `ExchangeEnv(exchange, driver, "BTCUSDT")` and tears everything down; its driver sets
   the venue's book / injects trades through the venue's control routes;
2. register it: `FACTORIES["venue"] = venue_env`. Every contract test then runs against it too.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Protocol

import pytest
from tests.support.clocks import ManualClock

from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.exchange import SimulatedExchange
from adapters.simulated.symbol_rules import rules_from_exchange_info
from adapters.simulated.venue.data import load_venue_data
from adapters.simulated.venue.trading import TradingVenue, serve_trading_venue
from adapters.simulated.venue.trading_desk import DEFAULT_API_KEY, DEFAULT_API_SECRET, TradingConfig
from domain.values import OrderBook, Trade
from ports.errors import OrderNotFound
from ports.exchange import Exchange

from .more_envs import fake_env, paper_env

REPO_ROOT = Path(__file__).resolve().parents[3]
RECORDED = REPO_ROOT / "tests" / "fixtures" / "recorded" / "nautilus_trader" / "spot_http_json"
# the committed sample: 5 pairs, 2026-03-31..04-03 (data/sample/README.md)
SAMPLE = REPO_ROOT / "data" / "sample" / "binance_spot_1m_2026-03-31_2026-04-03_5pairs.csv.xz"


class MarketDriver(Protocol):
    async def liquid_market(self, symbol: str) -> Decimal: ...

    async def print_trade(self, symbol: str, price: Decimal) -> None: ...


@dataclass
class ExchangeEnv:
    name: str
    exchange: Exchange
    market: MarketDriver
    symbol: str


# -- simulated ------------------------------------------------------------------------------------------
class SimulatedDriver:
    def __init__(self, exchange: SimulatedExchange, clock: ManualClock) -> None:
        self._exchange = exchange
        self._clock = clock

    async def liquid_market(self, symbol: str) -> Decimal:
        depth = json.loads((RECORDED / "http_spot_market_depth.json").read_text())
        book = OrderBook(symbol, tuple((float(p), float(q)) for p, q in depth["bids"]),
                         tuple((float(p), float(q)) for p, q in depth["asks"]), time_ms=self._clock.now)
        self._exchange.observe_book(book)
        return (Decimal(depth["bids"][0][0]) + Decimal(depth["asks"][0][0])) / 2

    async def print_trade(self, symbol: str, price: Decimal) -> None:
        self._clock.now += 1_000
        trade = Trade(symbol, float(price), 1_000.0, self._clock.now, buyer_is_maker=False)
        self._exchange.observe_trade(trade)


@asynccontextmanager
async def simulated_env() -> AsyncIterator[ExchangeEnv]:
    info = json.loads((RECORDED / "http_spot_market_exchange_info.json").read_text())
    clock = ManualClock(1_700_000_000_000)
    exchange = SimulatedExchange(rules_from_exchange_info(info), {"USDT": Decimal(1000)}, clock,
                                 SimulatorCosts(latency_ms=50))
    async with exchange:
        yield ExchangeEnv("simulated", exchange, SimulatedDriver(exchange, clock), "BTCUSDT")


# -- Binance spot testnet -------------------------------------------------------------------------------
class TestnetDriver:
    """Reads the real testnet book; cannot move it."""

    async def liquid_market(self, symbol: str) -> Decimal:
        import aiohttp

        url = "https://testnet.binance.vision/api/v3/ticker/bookTicker"
        async with aiohttp.ClientSession() as session, session.get(url, params={"symbol": symbol}) as reply:
            top = await reply.json()
        return (Decimal(top["bidPrice"]) + Decimal(top["askPrice"])) / 2

    async def print_trade(self, symbol: str, price: Decimal) -> None:
        pytest.skip("the testnet market cannot be moved by a test")


@asynccontextmanager
async def testnet_env() -> AsyncIterator[ExchangeEnv]:
    key, secret = os.environ.get("BINANCE_TESTNET_API_KEY"), os.environ.get("BINANCE_TESTNET_API_SECRET")
    if not key or not secret:
        pytest.skip("BINANCE_TESTNET_API_KEY / BINANCE_TESTNET_API_SECRET not set")
    from pydantic import SecretStr

    from adapters.binance.exchange import BinanceExchange

    async with BinanceExchange.testnet(SecretStr(key), SecretStr(secret)) as exchange:
        yield ExchangeEnv("testnet", exchange, TestnetDriver(), "BTCUSDT")


# -- local venue: BinanceExchange (binance-connector + WebSocket API) -> the venue on 127.0.0.1 ---------
class VenueDriver:
    """Pins the venue's book around the replayed price; prints trades straight into its engine."""

    def __init__(self, venue: TradingVenue) -> None:
        self._desk = venue.desk

    async def liquid_market(self, symbol: str) -> Decimal:
        price = self._desk.state.tapes[symbol].last_price(self._desk.now_ms())
        assert price is not None
        mid = self._desk.state.rules[symbol].round_price(Decimal(repr(price)))
        self._desk.pin_market(symbol, mid)
        return mid

    async def print_trade(self, symbol: str, price: Decimal) -> None:
        self._desk.print_trade(symbol, price)


@asynccontextmanager
async def venue_env() -> AsyncIterator[ExchangeEnv]:
    from pydantic import SecretStr

    from adapters.binance.exchange import BinanceExchange

    data = load_venue_data(SAMPLE, symbols=["BTCUSDT"], start_ms=1_775_001_600_000, minutes=60,
                           warmup_ms=3_600_000)
    async with serve_trading_venue(data, config=TradingConfig(deposits={"USDT": Decimal(1000)})) as venue:
        exchange = BinanceExchange(SecretStr(DEFAULT_API_KEY), SecretStr(DEFAULT_API_SECRET),
                                   rest_url=venue.rest_url, ws_api_url=venue.ws_api_url, timeout=5.0)
        async with exchange:
            yield ExchangeEnv("venue", exchange, VenueDriver(venue), "BTCUSDT")


@asynccontextmanager
async def fake_exchange_env() -> AsyncIterator[ExchangeEnv]:
    async with fake_env(RECORDED) as (exchange, driver):
        yield ExchangeEnv("fake", exchange, driver, "BTCUSDT")


@asynccontextmanager
async def paper_exchange_env() -> AsyncIterator[ExchangeEnv]:
    async with paper_env(SAMPLE) as (exchange, driver):
        yield ExchangeEnv("paper", exchange, driver, "BTCUSDT")


FACTORIES: dict[str, Callable[[], AbstractAsyncContextManager[ExchangeEnv]]] = {
    "simulated": simulated_env,
    "fake": fake_exchange_env,
    "paper": paper_exchange_env,
    "venue": venue_env,
    "testnet": testnet_env,
}


@pytest.fixture(params=[pytest.param(name, marks=pytest.mark.testnet) if name == "testnet" else name
                        for name in FACTORIES])
async def env(request: pytest.FixtureRequest) -> AsyncIterator[ExchangeEnv]:
    async with FACTORIES[request.param]() as found:
        yield found
        for order in await found.exchange.open_orders(found.symbol):  # leave a shared account clean
            with contextlib.suppress(OrderNotFound):  # an OCO leg goes with its sibling
                await found.exchange.cancel_order(found.symbol, order.order_id)
