"""BinanceMarketFeed against the local venue on 127.0.0.1, replaying recorded BTC/ETH klines fast:
forced disconnects, a silent stream, malformed frames, duplicates and reordering, the 24 h cut, pings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from adapters.binance.backoff import Backoff
from adapters.binance.market_feed import BinanceMarketFeed
from adapters.clocks import SystemClock
from adapters.simulated.venue.app import STREAM_HUB, RunningVenue, create_venue_app, serve_venue
from adapters.simulated.venue.data import VenueData, load_venue_data, parse_day
from adapters.simulated.venue.faults import MALFORMED_KINDS
from adapters.simulated.venue.state import VenueConfig
from domain.market_events import (
    BookUpdated,
    CandleUpdated,
    FeedReconnected,
    MarketEvent,
    StreamStale,
    TickersUpdated,
    TradeHappened,
)
from domain.time_units import DAY_MS

SPEED = 600.0  # a 1m bar every 0.1 s


@pytest.fixture(scope="module")
def venue_data(sample_klines: Path) -> VenueData:
    return load_venue_data(sample_klines, symbols=["BTCUSDT", "ETHUSDT"], start_ms=parse_day("2026-04-01"),
                           minutes=600)


@asynccontextmanager
async def venue_running(data: VenueData, **config: Any) -> AsyncIterator[RunningVenue]:
    app = create_venue_app(data, speed=SPEED, config=VenueConfig(tick_sec=0.02, **config))
    async with serve_venue(app) as venue:
        yield venue


def make_feed(venue: RunningVenue, **options: Any) -> BinanceMarketFeed:
    options.setdefault("backoff", Backoff(base_sec=0.02, cap_sec=0.05, floor_sec=0.01))
    return BinanceMarketFeed(venue.ws_url, venue.rest_url, ["BTCUSDT", "ETHUSDT"], SystemClock(),
                             poll_sec=0.05, connect_timeout_sec=2.0, **options)


async def collect(feed: BinanceMarketFeed, done: Callable[[list[MarketEvent]], bool],
                  within: float = 2.0) -> list[MarketEvent]:
    events: list[MarketEvent] = []
    try:
        async with asyncio.timeout(within):
            async for event in feed.events():
                events.append(event)
                if done(events):
                    return events
    except TimeoutError:
        kinds = [type(e).__name__ for e in events[-10:]]
        pytest.fail(f"condition not met in {within} s; {len(events)} events, last {kinds}, {feed.stats()}")
    return events


def closed(events: list[MarketEvent], symbol: str = "BTCUSDT") -> list[int]:
    return [e.candle.open_time_ms for e in events
            if isinstance(e, CandleUpdated) and e.candle.closed and e.candle.symbol == symbol]


def after(events: list[MarketEvent], kind: type) -> list[MarketEvent]:
    firsts = [i for i, e in enumerate(events) if isinstance(e, kind)]
    return events[firsts[0] + 1:] if firsts else []


async def test_tickers_for_all_and_details_for_the_watched_symbol(venue_data: VenueData) -> None:
    async with venue_running(venue_data) as venue, make_feed(venue) as feed:
        await feed.watch(["BTCUSDT"])
        events = await collect(feed, lambda ev: len(closed(ev)) >= 1 and any(
            isinstance(e, TradeHappened) for e in ev))
    tickers = {t.symbol for e in events if isinstance(e, TickersUpdated) for t in e.tickers}
    assert tickers == {"BTCUSDT", "ETHUSDT"}
    detail_symbols = {e.book.symbol for e in events if isinstance(e, BookUpdated)}
    detail_symbols |= {e.candle.symbol for e in events if isinstance(e, CandleUpdated)}
    assert detail_symbols == {"BTCUSDT"}
    assert feed.stats().malformed_total == 0


async def test_per_symbol_tickers_follow_the_universe(venue_data: VenueData) -> None:
    async with venue_running(venue_data) as venue, make_feed(venue, per_symbol_tickers=True) as feed:
        def symbols_seen(events: list[MarketEvent]) -> set[str]:
            return {t.symbol for e in events if isinstance(e, TickersUpdated) for t in e.tickers}

        events = await collect(feed, lambda ev: symbols_seen(ev) == {"BTCUSDT", "ETHUSDT"})
        assert all(len(e.tickers) == 1 for e in events if isinstance(e, TickersUpdated))
        await feed.set_universe(["ETHUSDT"])
        later = await collect(feed, lambda ev: sum(isinstance(e, TickersUpdated) for e in ev) >= 4)
        assert symbols_seen(later) == {"ETHUSDT"}  # filtered at once, even frames already on their way
        (connection,) = venue.app[STREAM_HUB].connections
        # the venue applies the UNSUBSCRIBE when it reads it
        await collect(feed, lambda ev: "btcusdt@miniTicker" not in connection.subs.streams)
        assert connection.subs.streams == {"ethusdt@miniTicker"}


async def test_forced_disconnect_reconnects_resubscribes_and_backfills(venue_data: VenueData) -> None:
    async with venue_running(venue_data) as venue:
        outage = Backoff(base_sec=0.35, cap_sec=0.35, floor_sec=0.3)  # >= 3 bars pass while away
        async with make_feed(venue, backoff=outage) as feed:
            await feed.watch(["BTCUSDT"])
            events = await collect(feed, lambda ev: len(closed(ev)) >= 1)
            assert await venue.state.faults.drop_connections() == 1
            events += await collect(feed, lambda ev: len(closed(after(ev, FeedReconnected))) >= 5 and any(
                isinstance(e, BookUpdated) for e in after(ev, FeedReconnected)), within=3.0)
            stats = feed.stats()
        opened = venue.state.stats.connections_opened
    reconnected = [e for e in events if isinstance(e, FeedReconnected)]
    assert len(reconnected) == 1 and reconnected[0].missed_ms >= 300
    times = closed(events)
    assert times == list(range(times[0], times[-1] + 60_000, 60_000))  # every minute once, in order
    assert stats.backfilled_candles >= 3 and stats.reconnects == 1 and opened == 2


async def test_a_silent_stream_is_marked_stale_and_recovers(venue_data: VenueData) -> None:
    async with venue_running(venue_data) as venue, make_feed(venue, stale_after_sec=0.3) as feed:
        await feed.watch(["BTCUSDT"])
        await collect(feed, lambda ev: any(isinstance(e, BookUpdated) for e in ev))
        venue.state.faults.silence("BTCUSDT")
        events = await collect(feed, lambda ev: any(isinstance(e, StreamStale) for e in ev))
        stale = [e for e in events if isinstance(e, StreamStale)]
        assert stale[0].symbol == "BTCUSDT" and stale[0].silent_ms >= 300
        assert feed.is_stale("BTCUSDT")
        assert sum(isinstance(e, TickersUpdated) for e in events) >= 2  # tickers kept flowing
        venue.state.faults.unsilence("BTCUSDT")
        await collect(feed, lambda ev: any(isinstance(e, BookUpdated) for e in ev))
        assert not feed.is_stale("BTCUSDT")
        assert feed.stats().reconnects == 0


async def test_watched_symbols_go_stale_while_the_venue_is_down(venue_data: VenueData) -> None:
    venue_context = venue_running(venue_data)
    venue = await venue_context.__aenter__()
    async with make_feed(venue, stale_after_sec=0.2) as feed:
        await feed.watch(["BTCUSDT"])
        await collect(feed, lambda ev: any(isinstance(e, BookUpdated) for e in ev))
        await venue_context.__aexit__(None, None, None)  # the venue is gone: every reconnection fails
        events = await collect(feed, lambda ev: any(isinstance(e, StreamStale) for e in ev))
        assert [e.symbol for e in events if isinstance(e, StreamStale)] == ["BTCUSDT"]
        assert feed.stats().reconnects == 0 and not any(isinstance(e, FeedReconnected) for e in events)


async def test_malformed_frames_are_dropped_and_counted_and_the_loop_goes_on(venue_data: VenueData) -> None:
    async with venue_running(venue_data) as venue, make_feed(venue) as feed:
        await feed.watch(["BTCUSDT"])
        await collect(feed, lambda ev: any(isinstance(e, TickersUpdated) for e in ev))
        for kind in MALFORMED_KINDS:
            assert await venue.state.faults.send_malformed(kind) == 1
        await collect(feed, lambda ev: sum(isinstance(e, TickersUpdated) for e in ev) >= 3
                      and len(closed(ev)) >= 1)
        stats = feed.stats()
    assert stats.malformed == {"bad JSON": 1, "not a JSON object": 1, "unknown stream": 1,
                               "corrupt values": 3, "binary frame": 1}
    assert stats.reconnects == 0


async def test_duplicate_and_out_of_order_messages_are_deduplicated(venue_data: VenueData) -> None:
    async with venue_running(venue_data) as venue, make_feed(venue) as feed:
        await feed.watch(["BTCUSDT"])
        await collect(feed, lambda ev: any(isinstance(e, BookUpdated) for e in ev))
        faults = venue.state.faults
        for stream in ("btcusdt@kline_1m", "btcusdt@aggTrade", "btcusdt@depth20@100ms", "!miniTicker@arr"):
            faults.duplicate_next(stream, 4)
        for _ in range(3):
            faults.reorder_next("btcusdt@kline_1m")
            faults.reorder_next("btcusdt@aggTrade")
            events = await collect(feed, lambda ev: len(closed(ev)) >= 1)
        stats = feed.stats()
    candles = [e.candle for e in events if isinstance(e, CandleUpdated)]
    assert len(set(candles)) == len(candles)
    partial_keys = [(c.open_time_ms, c.trades, c.volume) for c in candles if not c.closed]
    assert partial_keys == sorted(set(partial_keys))
    trade_ids = [e.trade.trade_id for e in events if isinstance(e, TradeHappened)]
    book_ids = [e.book.last_update_id for e in events if isinstance(e, BookUpdated)]
    assert trade_ids == sorted(set(trade_ids)) and book_ids == sorted(set(book_ids))
    ticker_times = [e.time_ms for e in events if isinstance(e, TickersUpdated)]
    assert ticker_times == sorted(set(ticker_times))
    assert stats.duplicates >= 16


async def test_the_24h_cut_on_the_venue_clock_makes_the_feed_reconnect(venue_data: VenueData) -> None:
    async with venue_running(venue_data) as venue, make_feed(venue) as feed:
        await feed.watch(["BTCUSDT"])
        await collect(feed, lambda ev: len(closed(ev)) >= 1)
        venue.state.clock.advance(DAY_MS)  # the connection is now a day old on the venue's clock
        events = await collect(feed, lambda ev: any(isinstance(e, BookUpdated) for e in after(
            ev, FeedReconnected)))
        stats = feed.stats()
        assert venue.state.stats.closed_by_server["24 h connection limit"] == 1
    assert stats.reconnects == 1 and stats.backfilled_candles > 0
    times = closed(events)
    assert times == sorted(set(times))


async def test_the_feed_renews_its_connection_before_the_cut(venue_data: VenueData) -> None:
    async with venue_running(venue_data) as venue, make_feed(venue, reconnect_before_sec=0.3) as feed:
        await feed.watch(["BTCUSDT"])
        events = await collect(feed, lambda ev: any(isinstance(e, BookUpdated) for e in after(
            ev, FeedReconnected)))
        assert feed.stats().reconnects >= 1
        assert not venue.state.stats.closed_by_server  # the client left first
    assert any(isinstance(e, FeedReconnected) for e in events)


async def test_server_pings_are_answered_and_server_shutdown_reconnects(venue_data: VenueData) -> None:
    async with venue_running(venue_data, ping_interval_sec=0.3, pong_timeout_sec=0.5) as venue, \
            make_feed(venue) as feed:
        await feed.watch(["BTCUSDT"])
        await collect(feed, lambda ev: venue.state.stats.pongs_received >= 3, within=2.0)
        assert feed.stats().reconnects == 0 and "pong timeout" not in venue.state.stats.closed_by_server
        assert await venue.state.faults.server_shutdown() == 1
        await collect(feed, lambda ev: any(isinstance(e, FeedReconnected) for e in ev))
        assert venue.state.stats.connections_opened == 2


async def test_control_messages_stay_under_the_venue_limit(venue_data: VenueData) -> None:
    async with venue_running(venue_data) as venue, make_feed(venue) as feed:
        for name in ("AAA", "BBB", "CCC", "DDD"):  # with the first SUBSCRIBE: 6, more than 5 in 1 s
            await feed.watch([f"{name}USDT"])  # one SUBSCRIBE each, paced at 4 a second
        await feed.watch(["BTCUSDT"])
        await collect(feed, lambda ev: any(isinstance(e, BookUpdated) for e in ev))
        assert not venue.state.stats.closed_by_server and feed.stats().reconnects == 0
        assert feed.stats().control_errors == 0


async def test_watching_beyond_the_stream_limit_is_refused() -> None:
    feed = BinanceMarketFeed("ws://127.0.0.1:1", "http://127.0.0.1:1", [], SystemClock(), max_streams=7)
    await feed.watch(["BTCUSDT", "ETHUSDT"])  # 1 ticker stream + 2 x 3 details
    with pytest.raises(ValueError, match="7"):
        await feed.watch(["SOLUSDT"])
    assert feed.watched == ("BTCUSDT", "ETHUSDT")
