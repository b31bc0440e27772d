"""What the bot remembers of the market (the spec 4.1 collector, served from memory, fed by the feed).

Per watched symbol: the last `capacity` closed 1m candles in a numpy ring buffer (O(1) per candle, one
copy when the feature engine asks), the current partial candle, the last book and book top, recent
trades. For every symbol: the last mini-ticker close (to value balances and BNB fees). A candle that
arrives after a hole (reconnection) marks the symbol for a fresh backfill; its features are not trusted
until then.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from application.candle_ring import CandleRing
from domain.candle_columns import CandleColumns
from domain.features import WARMUP_BARS, KlineArrays
from domain.market_events import (
    BookTopUpdated,
    BookUpdated,
    CandleUpdated,
    FeedReconnected,
    MarketEvent,
    StreamStale,
    TickersUpdated,
    TradeHappened,
)
from domain.ticker_table import TickerTable
from domain.values import BookTop, Candle, CorruptMarketData, OrderBook, Ticker, Trade


@dataclass(slots=True)
class SymbolMemory:
    candles: CandleRing
    trades: deque[Trade]
    partial: Candle | None = None
    book: OrderBook | None = None
    top: BookTop | None = None
    last_price: float = math.nan
    stale: bool = False
    needs_backfill: bool = True
    gaps: int = 0
    symbol: str = ""


class MarketMemory:
    def __init__(self, capacity: int = WARMUP_BARS, trades_kept: int = 200, *,
                 bar_ms: int = 60_000) -> None:
        """`bar_ms`: the candles' length (a replay of longer bars; contiguous means one bar apart)."""
        self._capacity, self._bar_ms = capacity, bar_ms
        self._trades_kept = trades_kept
        self._symbols: dict[str, SymbolMemory] = {}
        self._ticker_close: dict[str, float] = {}
        self._moved: set[str] | None = None  # symbols whose current_price may have changed; None: any
        self.price_version = 0  # moves on whenever some symbol's current_price may have changed

    # -- feeding --------------------------------------------------------------------------------------
    def apply(self, event: MarketEvent) -> None:
        """Remember one event. Raises CorruptMarketData for a value that cannot be real."""
        match event:
            case TickersUpdated(tickers=tickers):
                self.on_tickers(tickers)
            case CandleUpdated(candle=candle):
                self.on_candle(candle)
            case BookUpdated(book=book):
                self.on_book(book)
            case BookTopUpdated(top=top):
                self.on_book_top(top)
            case TradeHappened(trade=trade):
                self.on_trade(trade)
            case StreamStale(symbol=symbol):
                if symbol in self._symbols:
                    self._symbols[symbol].stale = True
            case FeedReconnected(missed_ms=missed) if missed > 0:
                for memory in self._symbols.values():
                    memory.needs_backfill = True
            case FeedReconnected():
                pass
            case _:
                raise CorruptMarketData(f"not a market event: {type(event).__name__}")

    def on_tickers(self, tickers: Sequence[Ticker]) -> None:
        closes = self._ticker_close
        self._moved = None
        self.price_version += 1
        if isinstance(tickers, TickerTable):  # validated columns: no Ticker objects on the hot path
            closes.update(zip(tickers.symbols, tickers.close.tolist(), strict=True))
            return
        for ticker in tickers:
            closes[ticker.symbol] = _finite_price(ticker.close, ticker.symbol)

    def on_candle(self, candle: Candle) -> None:
        price = _finite_price(candle.close, candle.symbol)
        memory = self._memory(candle.symbol)
        if candle.closed:
            if not memory.candles.append(candle):
                memory.needs_backfill = True
                memory.gaps += 1
            if memory.partial is not None and memory.partial.open_time_ms <= candle.open_time_ms:
                memory.partial = None
        else:
            memory.partial = candle
        self._touch(memory, price)

    def on_book(self, book: OrderBook) -> None:
        memory = self._memory(book.symbol)
        self._price_moved(book.symbol)
        memory.book = book
        top = book.top
        if top is not None:
            memory.top = top
        memory.stale = False

    def on_book_top(self, top: BookTop) -> None:
        _finite_price(top.bid, top.symbol)
        memory = self._memory(top.symbol)
        self._price_moved(top.symbol)
        memory.top = top
        memory.stale = False

    def on_trade(self, trade: Trade) -> None:
        memory = self._memory(trade.symbol)
        memory.trades.append(trade)
        self._touch(memory, _finite_price(trade.price, trade.symbol))

    def backfill(self, symbol: str, candles: Sequence[Candle]) -> None:
        """Merge a REST/replay history of closed candles; newer live candles already held are kept."""
        memory = self._memory(symbol)
        self._price_moved(symbol)
        closed = candles if isinstance(candles, CandleColumns) else [c for c in candles if c.closed]
        memory.candles.merge(closed)
        memory.needs_backfill = not memory.candles.is_contiguous()
        if math.isnan(memory.last_price) and len(memory.candles):
            memory.last_price = memory.candles.last_close()

    def forget(self, symbol: str) -> None:
        self._symbols.pop(symbol, None)
        self._price_moved(symbol)

    def take_price_moves(self) -> set[str] | None:
        """The symbols whose `current_price` may have changed since the last call (None: any may have,
        as after a ticker frame). For one reader: the account's dust valuation."""
        moved, self._moved = self._moved, set()
        return moved

    # -- the collector interface (spec 4.1) ------------------------------------------------------------
    def klines(self, symbol: str, limit: int | None = None) -> KlineArrays:
        """Closed 1m candles, oldest first (the feature engine's input)."""
        arrays = self._memory(symbol).candles.arrays()
        return arrays if limit is None else arrays.tail(limit)

    def bar_count(self, symbol: str) -> int:
        memory = self._symbols.get(symbol)
        return len(memory.candles) if memory else 0

    def is_ready(self, symbol: str, bars: int) -> bool:
        """Enough contiguous, fresh history to compute features."""
        memory = self._symbols.get(symbol)
        return (memory is not None and not memory.stale and not memory.needs_backfill
                and len(memory.candles) >= bars)

    def needs_backfill(self, symbol: str) -> bool:
        memory = self._symbols.get(symbol)
        return memory is None or memory.needs_backfill

    def current_price(self, symbol: str) -> float | None:
        """Last traded price (trade or candle close), else the book mid, else the ticker close."""
        memory = self._symbols.get(symbol)
        if memory is not None:
            if not math.isnan(memory.last_price):
                return memory.last_price
            if memory.top is not None:
                return memory.top.mid
        return self._ticker_close.get(symbol)

    def partial_candle(self, symbol: str) -> Candle | None:
        memory = self._symbols.get(symbol)
        return memory.partial if memory else None

    def orderbook(self, symbol: str) -> OrderBook | None:
        memory = self._symbols.get(symbol)
        return memory.book if memory else None

    def book_top(self, symbol: str) -> BookTop | None:
        memory = self._symbols.get(symbol)
        return memory.top if memory else None

    def recent_trades(self, symbol: str, limit: int = 50) -> list[Trade]:
        memory = self._symbols.get(symbol)
        if memory is None or limit <= 0:
            return []
        return list(memory.trades)[-limit:]

    def ticker_close(self, symbol: str) -> float | None:
        return self._ticker_close.get(symbol)

    @property
    def symbols(self) -> frozenset[str]:
        return frozenset(self._symbols)

    # -- internals ------------------------------------------------------------------------------------
    def _memory(self, symbol: str) -> SymbolMemory:
        memory = self._symbols.get(symbol)
        if memory is None:
            memory = SymbolMemory(CandleRing(self._capacity, self._bar_ms), deque(maxlen=self._trades_kept),
                                  symbol=symbol)
            self._symbols[symbol] = memory
            self._price_moved(symbol)
        return memory

    def _price_moved(self, symbol: str) -> None:
        self.price_version += 1
        if self._moved is not None:
            self._moved.add(symbol)

    def _touch(self, memory: SymbolMemory, price: float) -> None:
        """The feed delivers in time order: the last traded price seen is the current one."""
        memory.last_price = price
        memory.stale = False
        self._price_moved(memory.symbol)  # the price version moves with it


def price_seen(event: MarketEvent) -> tuple[str, float, float, float] | None:
    """(symbol, low, high, last) a long could have sold at, as this event shows: a candle's range, a
    trade's price, the best bid of a book."""
    match event:
        case CandleUpdated(candle=c):
            return c.symbol, c.low, c.high, c.close
        case TradeHappened(trade=t):
            return t.symbol, t.price, t.price, t.price
        case BookTopUpdated(top=top):
            return top.symbol, top.bid, top.bid, top.bid
        case BookUpdated(book=book) if book.top is not None:
            return book.symbol, book.top.bid, book.top.bid, book.top.bid
    return None


def _finite_price(value: float, symbol: str) -> float:
    if not (math.isfinite(value) and value > 0):
        raise CorruptMarketData(f"{symbol}: price {value!r} is not a finite positive number")
    return value
