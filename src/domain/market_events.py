"""What a market feed delivers, in domain terms. One event type per kind of market news."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.ticker_table import TickerTable
from domain.values import BookTop, Candle, OrderBook, Ticker, Trade


@dataclass(frozen=True, slots=True, init=False)
class TickersUpdated:
    """All mini tickers that changed in one `!miniTicker@arr` frame (or a replayed minute).

    `tickers` is a columnar `TickerTable`; iterating it yields `Ticker` objects. Producers may pass
    either a table or any iterable of `Ticker` (turned into a table here)."""

    tickers: TickerTable
    time_ms: int

    def __init__(self, tickers: TickerTable | Iterable[Ticker], time_ms: int) -> None:
        table = tickers if isinstance(tickers, TickerTable) else TickerTable.from_tickers(tickers)
        object.__setattr__(self, "tickers", table)
        object.__setattr__(self, "time_ms", time_ms)


@dataclass(frozen=True, slots=True)
class CandleUpdated:
    """A kline update; `candle.closed` tells whether the bar is final."""

    candle: Candle


@dataclass(frozen=True, slots=True)
class BookUpdated:
    book: OrderBook


@dataclass(frozen=True, slots=True)
class BookTopUpdated:
    top: BookTop


@dataclass(frozen=True, slots=True)
class TradeHappened:
    trade: Trade


@dataclass(frozen=True, slots=True)
class StreamStale:
    """A symbol's detail streams went quiet; its data must not be trusted until fresh again."""

    symbol: str
    silent_ms: int
    time_ms: int


@dataclass(frozen=True, slots=True)
class FeedReconnected:
    """The connection dropped and came back; `missed_ms` of data may have been backfilled."""

    time_ms: int
    missed_ms: int


MarketEvent = (TickersUpdated | CandleUpdated | BookUpdated | BookTopUpdated | TradeHappened | StreamStale
               | FeedReconnected)
