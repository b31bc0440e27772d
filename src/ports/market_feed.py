from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from types import TracebackType
from typing import Protocol, Self

from domain.market_events import MarketEvent
from domain.values import Candle


class MarketFeed(Protocol):
    """Market data for the whole universe (tickers) and details (klines, book, trades) for candidates.

    Entered as an async context manager by the trading loop; `events()` yields until the feed ends
    (end of a replay) or the context exits. Malformed messages are dropped and counted, never raised.
    """

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None: ...

    def events(self) -> AsyncIterator[MarketEvent]: ...

    async def watch(self, symbols: Sequence[str]) -> None:
        """Start the detail streams (kline_1m, book, trades) for these symbols."""
        ...

    async def unwatch(self, symbols: Sequence[str]) -> None: ...

    async def recent_candles(self, symbol: str, limit: int) -> Sequence[Candle]:
        """The last `limit` closed 1m candles (REST backfill live, history in a replay)."""
        ...


class UniverseFeed(MarketFeed, Protocol):
    """A feed whose one ticker stream can be narrowed to the pairs the scanner follows."""

    async def set_universe(self, symbols: Sequence[str]) -> None: ...


class MarketObserver(Protocol):
    """Sees every market event before the trading loop does (paper fills against the book just seen)."""

    def observe(self, event: MarketEvent) -> None: ...
