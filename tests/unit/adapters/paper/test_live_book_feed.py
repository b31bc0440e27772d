"""The paper feed shows every event to the simulated exchange before the loop, in trading time; the
feed follows the scanner's universe."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from types import TracebackType
from typing import Self

from adapters.clocks import ReplayClock
from adapters.paper.live_book_feed import LiveBookFeed
from adapters.universe import FeedFollowsUniverse, FixedUniverse
from domain.market_events import (
    BookTopUpdated,
    BookUpdated,
    FeedReconnected,
    MarketEvent,
    StreamStale,
    TradeHappened,
)
from domain.values import BookTop, Candle, OrderBook, Trade

WALL_MS, TRADING_MS = 1_800_000_000_000, 1_775_000_000_000

EVENTS: tuple[MarketEvent, ...] = (
    TradeHappened(Trade("ETHUSDT", 2000.0, 0.5, TRADING_MS - 5, False, 1)),
    BookUpdated(OrderBook("ETHUSDT", ((1999.9, 1.0),), ((2000.1, 1.0),), WALL_MS)),
    BookTopUpdated(BookTop("ETHUSDT", 1999.9, 1.0, 2000.1, 1.0, WALL_MS)),
    StreamStale("ETHUSDT", 30_000, WALL_MS),
    FeedReconnected(WALL_MS, 4_000),
)


class ScriptedFeed:
    def __init__(self, events: Sequence[MarketEvent]) -> None:
        self.script = list(events)
        self.entered = self.exited = self.closed = False
        self.universes: list[list[str]] = []
        self.watched: list[str] = []

    async def __aenter__(self) -> Self:
        self.entered = True
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.exited = True

    async def events(self) -> AsyncIterator[MarketEvent]:
        try:
            for event in self.script:
                yield event
        finally:
            self.closed = True

    async def watch(self, symbols: Sequence[str]) -> None:
        self.watched.extend(symbols)

    async def unwatch(self, symbols: Sequence[str]) -> None:
        self.watched = [s for s in self.watched if s not in symbols]

    async def recent_candles(self, symbol: str, limit: int) -> Sequence[Candle]:
        return []

    async def set_universe(self, symbols: Sequence[str]) -> None:
        self.universes.append(list(symbols))


class Recorder:
    def __init__(self) -> None:
        self.seen: list[MarketEvent] = []

    def observe(self, event: MarketEvent) -> None:
        self.seen.append(event)


async def test_the_exchange_sees_each_event_before_the_loop() -> None:
    clock = ReplayClock(WALL_MS)
    inner, exchange = ScriptedFeed(EVENTS), Recorder()
    feed = LiveBookFeed(inner, exchange, clock=clock, feed_clock=clock)
    async with feed:
        assert inner.entered
        delivered = []
        async for event in feed.events():
            assert exchange.seen[-1] is event  # already observed when the loop gets it
            delivered.append(event)
    assert inner.exited and delivered == list(EVENTS)
    assert all(a is b for a, b in zip(delivered, EVENTS, strict=True))  # one clock: nothing re-stamped


async def test_receipt_stamps_move_to_trading_time_when_the_clocks_differ() -> None:
    trading = ReplayClock(TRADING_MS)
    feed = LiveBookFeed(ScriptedFeed(EVENTS), Recorder(), clock=trading, feed_clock=ReplayClock(WALL_MS))
    trade, book, top, stale, reconnected = [event async for event in feed.events()]
    assert trade is EVENTS[0]  # exchange times stay as they are
    assert isinstance(book, BookUpdated) and book.book.time_ms == TRADING_MS
    assert book.book.bids == EVENTS[1].book.bids  # type: ignore[union-attr]
    assert isinstance(top, BookTopUpdated) and top.top.time_ms == TRADING_MS and top.top.ask == 2000.1
    assert stale == StreamStale("ETHUSDT", 30_000, TRADING_MS)
    assert reconnected == FeedReconnected(TRADING_MS, 4_000)


async def test_closing_the_stream_closes_the_inner_one() -> None:
    clock = ReplayClock(WALL_MS)
    inner = ScriptedFeed(EVENTS)
    events = LiveBookFeed(inner, Recorder(), clock=clock, feed_clock=clock).events()
    await anext(events)
    await events.aclose()
    assert inner.closed


async def test_details_and_the_universe_pass_through() -> None:
    clock = ReplayClock(WALL_MS)
    inner = ScriptedFeed(())
    feed = LiveBookFeed(inner, Recorder(), clock=clock, feed_clock=clock)
    await feed.watch(["ETHUSDT", "BTCUSDT"])
    await feed.unwatch(["BTCUSDT"])
    await feed.set_universe(["ETHUSDT"])
    assert inner.watched == ["ETHUSDT"] and inner.universes == [["ETHUSDT"]]
    assert await feed.recent_candles("ETHUSDT", 10) == []


async def test_the_feed_follows_each_new_universe_once() -> None:
    class Universe:
        def __init__(self) -> None:
            self.answers = [["ETHUSDT", "BTCUSDT"], ["ETHUSDT", "BTCUSDT"], [], ["SOLUSDT"]]

        async def tradable_symbols(self) -> Sequence[str]:
            return self.answers.pop(0)

    inner = ScriptedFeed(())
    following = FeedFollowsUniverse(Universe(), inner)
    answers = [list(await following.tradable_symbols()) for _ in range(4)]
    assert answers == [["ETHUSDT", "BTCUSDT"], ["ETHUSDT", "BTCUSDT"], [], ["SOLUSDT"]]
    assert inner.universes == [["ETHUSDT", "BTCUSDT"], ["SOLUSDT"]]  # unchanged and empty: not told


async def test_a_fixed_universe_is_the_configured_list() -> None:
    assert await FixedUniverse(["btcusdt", "ETHUSDT"]).tradable_symbols() == ["BTCUSDT", "ETHUSDT"]
