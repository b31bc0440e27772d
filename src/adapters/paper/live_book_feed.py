"""How the live market feed is wired to the rest of paper and live mode.

* `LiveBookFeed` wraps the stream feed for paper mode: each event goes to the simulated exchange first
  (`observe`), then to the trading loop, so orders fill against the book the bot has just seen.
  Against the accelerated local venue, trading time (the venue's clock) differs from the wall clock
  the feed stamps book snapshots with on receipt; those stamps are moved to trading time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from types import TracebackType
from typing import Self

from domain.market_events import BookTopUpdated, BookUpdated, FeedReconnected, MarketEvent, StreamStale
from domain.values import Candle
from ports.clock import Clock
from ports.market_feed import MarketObserver, UniverseFeed


class LiveBookFeed:
    def __init__(self, inner: UniverseFeed, exchange: MarketObserver, *, clock: Clock,
                 feed_clock: Clock) -> None:
        self.inner, self._exchange, self._clock = inner, exchange, clock
        self._restamp = clock is not feed_clock

    async def __aenter__(self) -> Self:
        await self.inner.__aenter__()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.inner.__aexit__(exc_type, exc, tb)

    async def events(self) -> AsyncIterator[MarketEvent]:
        events = self.inner.events()
        observe = self._exchange.observe
        try:
            async for event in events:
                if self._restamp:
                    event = self._in_trading_time(event)
                observe(event)
                yield event
        finally:
            close = getattr(events, "aclose", None)
            if close is not None:
                await close()

    def _in_trading_time(self, event: MarketEvent) -> MarketEvent:
        """Receipt stamps (books without an exchange time, stale marks, reconnections) in trading time."""
        match event:
            case BookUpdated(book=book):
                return BookUpdated(replace(book, time_ms=self._clock.now_ms()))
            case BookTopUpdated(top=top):
                return BookTopUpdated(replace(top, time_ms=self._clock.now_ms()))
            case StreamStale(symbol=symbol, silent_ms=silent_ms):
                return StreamStale(symbol, silent_ms, self._clock.now_ms())
            case FeedReconnected(missed_ms=missed_ms):
                return FeedReconnected(self._clock.now_ms(), missed_ms)
            case _:
                return event

    async def watch(self, symbols: Sequence[str]) -> None:
        await self.inner.watch(symbols)

    async def unwatch(self, symbols: Sequence[str]) -> None:
        await self.inner.unwatch(symbols)

    async def recent_candles(self, symbol: str, limit: int) -> Sequence[Candle]:
        return await self.inner.recent_candles(symbol, limit)

    async def set_universe(self, symbols: Sequence[str]) -> None:
        await self.inner.set_universe(symbols)
