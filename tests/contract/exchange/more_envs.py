"""Two more adapters of the Exchange contract: the test suite's FakeExchange and the paper exchange.

* "fake": tests/support/fake_exchange.FakeExchange, the in-memory exchange the use-case tests trust;
  on real BTCUSDT rules (a recorded exchangeInfo), its market moved with `set_price`.
* "paper": adapters/paper.PaperExchange, which takes its filters from a venue's GET exchangeInfo (here
  the local venue on 127.0.0.1) and fills against the market events the feed shows it (`observe`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path

from tests.support.clocks import ManualClock
from tests.support.fake_exchange import FakeExchange

from adapters.paper.exchange import PaperExchange
from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.symbol_rules import rules_from_exchange_info
from adapters.simulated.venue.app import create_venue_app, serve_venue
from adapters.simulated.venue.data import load_venue_data
from domain.market_events import BookUpdated, TradeHappened
from domain.values import OrderBook, Trade


class FakeDriver:
    def __init__(self, exchange: FakeExchange) -> None:
        self._exchange = exchange

    async def liquid_market(self, symbol: str) -> Decimal:
        return self._exchange.prices[symbol]

    async def print_trade(self, symbol: str, price: Decimal) -> None:
        self._exchange.set_price(symbol, price)


@asynccontextmanager
async def fake_env(recorded: Path) -> AsyncIterator[tuple[FakeExchange, FakeDriver]]:
    info = json.loads((recorded / "http_spot_market_exchange_info.json").read_text())
    depth = json.loads((recorded / "http_spot_market_depth.json").read_text())
    mid = (Decimal(depth["bids"][0][0]) + Decimal(depth["asks"][0][0])) / 2
    clock = ManualClock(1_700_000_000_000)
    rules = rules_from_exchange_info(info)
    exchange = FakeExchange(rules, {"USDT": Decimal(1000)}, {"BTCUSDT": rules["BTCUSDT"].round_price(mid)},
                            now_ms=clock.now_ms)
    async with exchange:
        yield exchange, FakeDriver(exchange)


class PaperDriver:
    """A deep two-sided book around the venue's replayed price, then trades, shown to the paper exchange
    the way LiveBookFeed shows it the feed's events."""

    def __init__(self, exchange: PaperExchange, price: float, clock: ManualClock) -> None:
        self._exchange, self._price, self._clock = exchange, price, clock

    async def liquid_market(self, symbol: str) -> Decimal:
        rules = (await self._exchange.symbol_rules())[symbol]
        mid = rules.round_price(Decimal(repr(self._price)))
        tick = rules.tick_size
        bids = tuple((float(mid - tick * k), 50.0) for k in range(1, 21))
        asks = tuple((float(mid + tick * k), 50.0) for k in range(1, 21))
        self._exchange.observe(BookUpdated(OrderBook(symbol, bids, asks, time_ms=self._clock.now)))
        return mid

    async def print_trade(self, symbol: str, price: Decimal) -> None:
        self._clock.now += 1_000
        self._exchange.observe(TradeHappened(Trade(symbol, float(price), 1_000.0, self._clock.now,
                                                   buyer_is_maker=False)))


@asynccontextmanager
async def paper_env(recorded_klines: Path) -> AsyncIterator[tuple[PaperExchange, PaperDriver]]:
    data = load_venue_data(recorded_klines, symbols=["BTCUSDT"], start_ms=1_775_001_600_000, minutes=60,
                           warmup_ms=3_600_000)
    async with serve_venue(create_venue_app(data, speed=1.0)) as venue:
        clock = ManualClock(venue.state.clock.now_ms())
        price = venue.state.tapes["BTCUSDT"].last_price(clock.now)
        assert price is not None
        costs = SimulatorCosts(latency_ms=50)
        exchange = PaperExchange(venue.rest_url, {"USDT": Decimal(1000)}, clock, costs)
        async with exchange:
            yield exchange, PaperDriver(exchange, price, clock)
