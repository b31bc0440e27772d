"""One behaviour suite for the MarketFeed port, run against every adapter:

* replay  - ReplayFeed over recorded BTC/ETH 1m bars (backtests);
* venue   - BinanceMarketFeed -> the local Binance-compatible venue on 127.0.0.1 (same recorded bars, 600x);
* testnet - BinanceMarketFeed -> Binance's spot testnet, only when BINANCE_TESTNET_API_KEY and
            BINANCE_TESTNET_API_SECRET are set (market data needs no key, but a network run is opt-in).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.binance.backoff import Backoff
from adapters.binance.market_feed import BinanceMarketFeed
from adapters.clocks import ReplayClock, SystemClock
from adapters.simulated.replay_feed import ReplayFeed
from adapters.simulated.venue.app import create_venue_app, serve_venue
from adapters.simulated.venue.data import VenueData, load_venue_data, parse_day
from adapters.simulated.venue.state import VenueConfig
from domain.market_events import CandleUpdated, MarketEvent, TickersUpdated
from domain.values import Candle
from ports.market_feed import MarketFeed

UNIVERSE = ("BTCUSDT", "ETHUSDT")
TESTNET_KEYS = ("BINANCE_TESTNET_API_KEY", "BINANCE_TESTNET_API_SECRET")


@dataclass
class FeedCase:
    feed: MarketFeed
    now_ms: Callable[[], int]  # the feed's own "now": replay clock, venue clock, wall clock
    closed_bars_to_wait: int  # how many closed bars a test may wait for (a real minute is long)
    in_flight_sec: float  # how long frames already sent may still arrive after unwatch()
    within_sec: float


@pytest.fixture(scope="module")
def market_feed_bars(sample_klines: Path) -> VenueData:
    return load_venue_data(sample_klines, symbols=UNIVERSE, start_ms=parse_day("2026-04-01"), minutes=240)


@pytest.fixture(params=["replay", "venue", pytest.param("testnet", marks=pytest.mark.testnet)])
async def market_feed_case(request: pytest.FixtureRequest,
                           market_feed_bars: VenueData) -> AsyncIterator[FeedCase]:
    if request.param == "replay":
        clock = ReplayClock()
        replay = ReplayFeed(market_feed_bars.bars, clock, start_ms=market_feed_bars.default_start_ms())
        async with replay:
            yield FeedCase(replay, clock.now_ms, 5, 0.0, 5.0)
    elif request.param == "venue":
        app = create_venue_app(market_feed_bars, speed=600, config=VenueConfig(tick_sec=0.02))
        async with serve_venue(app) as venue:
            feed = BinanceMarketFeed(venue.ws_url, venue.rest_url, UNIVERSE, SystemClock(), poll_sec=0.05,
                                     backoff=Backoff(base_sec=0.02, cap_sec=0.05, floor_sec=0.01))
            async with feed:
                yield FeedCase(feed, venue.state.clock.now_ms, 3, 0.2, 3.0)
    else:
        if not all(os.environ.get(key) for key in TESTNET_KEYS):
            pytest.skip("Binance testnet run: set BINANCE_TESTNET_API_KEY and BINANCE_TESTNET_API_SECRET")
        feed = BinanceMarketFeed("wss://stream.testnet.binance.vision", "https://testnet.binance.vision",
                                 UNIVERSE, SystemClock())
        async with feed:
            yield FeedCase(feed, lambda: time.time_ns() // 1_000_000, 0, 1.0, 20.0)


async def collect(case: FeedCase, done: Callable[[list[MarketEvent]], bool]) -> list[MarketEvent]:
    events: list[MarketEvent] = []
    async with asyncio.timeout(case.within_sec):
        async for event in case.feed.events():
            events.append(event)
            if done(events):
                break
    return events


async def drain(case: FeedCase, seconds: float) -> None:
    if seconds <= 0:
        return
    try:
        async with asyncio.timeout(seconds):
            async for _ in case.feed.events():
                pass
    except TimeoutError:
        pass


def candles_of(events: list[MarketEvent], symbol: str) -> list[Candle]:
    return [e.candle for e in events if isinstance(e, CandleUpdated) and e.candle.symbol == symbol]


async def test_tickers_arrive_for_the_universe(market_feed_case: FeedCase) -> None:
    seen: set[str] = set()

    def covered(events: list[MarketEvent]) -> bool:
        seen.update(t.symbol for e in events[-1:] if isinstance(e, TickersUpdated) for t in e.tickers)
        return seen >= set(UNIVERSE)

    events = await collect(market_feed_case, covered)
    tickers = [t for e in events if isinstance(e, TickersUpdated) for t in e.tickers]
    assert {t.symbol for t in tickers} == set(UNIVERSE)
    assert all(t.low <= t.close <= t.high for t in tickers)


async def test_watch_yields_candles_and_unwatch_stops_them(market_feed_case: FeedCase) -> None:
    case = market_feed_case
    assert not candles_of(await collect(case, lambda ev: len(ev) >= 4), "ETHUSDT")  # nothing unasked
    await case.feed.watch(["ETHUSDT"])
    await collect(case, lambda ev: len(candles_of(ev, "ETHUSDT")) >= 3)
    await case.feed.unwatch(["ETHUSDT"])
    await drain(case, case.in_flight_sec)
    later = await collect(case, lambda ev: sum(isinstance(e, TickersUpdated) for e in ev) >= 3)
    assert candles_of(later, "ETHUSDT") == []


async def test_candles_come_in_time_order_without_duplicates(market_feed_case: FeedCase) -> None:
    case = market_feed_case
    await case.feed.watch(["BTCUSDT"])
    wanted = max(case.closed_bars_to_wait, 0)
    events = await collect(case, lambda ev: len(candles_of(ev, "BTCUSDT")) >= 3 and sum(
        c.closed for c in candles_of(ev, "BTCUSDT")) >= wanted)
    candles = candles_of(events, "BTCUSDT")
    keys = [(c.open_time_ms, c.closed, c.trades, c.volume) for c in candles]
    assert len(set(keys)) == len(keys)
    opens = [c.open_time_ms for c in candles]
    assert opens == sorted(opens)
    closed = [c.open_time_ms for c in candles if c.closed]
    assert closed == sorted(set(closed))
    assert all(c.close_time_ms <= case.now_ms() for c in candles if c.closed)


async def test_recent_candles_are_closed_bars_before_now(market_feed_case: FeedCase) -> None:
    case = market_feed_case
    await collect(case, lambda ev: sum(isinstance(e, TickersUpdated) for e in ev) >= 2)
    recent = list(await case.feed.recent_candles("BTCUSDT", 5))
    now = case.now_ms()
    assert len(recent) == 5 and all(c.closed and c.symbol == "BTCUSDT" for c in recent)
    assert [c.open_time_ms for c in recent] == [recent[0].open_time_ms + 60_000 * i for i in range(5)]
    assert recent[-1].close_time_ms <= now < recent[-1].close_time_ms + 5 * 60_000
