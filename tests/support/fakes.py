"""Fakes of the ports for the application tests: they keep each port's contract, in memory, no I/O.

FakeExchange lives in fake_exchange.py (it is the largest) and is re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import Self

import numpy as np
import numpy.typing as npt
from tests.support.clocks import T0, ManualClock
from tests.support.fake_exchange import FakeExchange

from domain.features import FEATURE_NAMES
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
from domain.position import CompletedTrade
from domain.rules import SymbolRules
from domain.signal import Prediction
from domain.time_units import MINUTE_MS
from domain.values import Candle, Trade

__all__ = [
    "T0",
    "FakeExchange",
    "FakeFeed",
    "FakeModel",
    "FakeScanner",
    "InMemoryJournal",
    "ManualClock",
    "good",
    "good_until",
    "history",
    "poor",
    "rules_for",
    "trade_at",
]



def _event_time_and_price(event: MarketEvent) -> tuple[int, str | None, float | None]:
    match event:
        case TradeHappened(trade=t):
            return t.time_ms, t.symbol, t.price
        case CandleUpdated(candle=c):
            return c.close_time_ms if c.closed else c.open_time_ms, c.symbol, c.close
        case BookTopUpdated(top=top):
            return top.time_ms, None, None
        case BookUpdated(book=book):
            return book.time_ms, None, None
        case TickersUpdated(time_ms=t) | StreamStale(time_ms=t) | FeedReconnected(time_ms=t):
            return t, None, None
    return 0, None, None


class FakeFeed:
    """Replays a scripted list of events like a ReplayFeed: each event first moves the clock to its time
    and the exchange's market to its price (so fills happen where the bot sees the price)."""

    def __init__(self, events: Iterable[object] = (), *, clock: ManualClock | None = None,
                 exchange: FakeExchange | None = None,
                 candles: Callable[[str, int, int], list[Candle]] | None = None) -> None:
        self.script: list[object] = list(events)
        self.clock, self.exchange = clock, exchange
        self._candles = candles or (lambda symbol, end_ms, limit: history(symbol, end_ms, limit))
        self.watched: set[str] = set()
        self.watch_calls: list[list[str]] = []
        self.unwatch_calls: list[list[str]] = []
        self.backfills: list[tuple[str, int]] = []
        self.failures: list[BaseException] = []  # raised by events(), one per iteration
        self.entered = False

    async def __aenter__(self) -> Self:
        self.entered = True
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.entered = False

    async def events(self) -> AsyncIterator[MarketEvent]:
        if self.failures:
            raise self.failures.pop(0)
        while self.script:
            event = self.script.pop(0)
            self.sync(event)
            yield event  # type: ignore[misc]  # the script may hold junk on purpose

    def sync(self, event: object) -> None:
        if not isinstance(event, MarketEvent):
            return
        time_ms, symbol, price = _event_time_and_price(event)
        if self.clock is not None and time_ms:
            self.clock.advance_to(time_ms)
        if self.exchange is not None and symbol is not None and price is not None:
            self.exchange.set_price(symbol, repr(price))

    async def watch(self, symbols: Sequence[str]) -> None:
        self.watch_calls.append(list(symbols))
        self.watched.update(symbols)

    async def unwatch(self, symbols: Sequence[str]) -> None:
        self.unwatch_calls.append(list(symbols))
        self.watched.difference_update(symbols)

    async def recent_candles(self, symbol: str, limit: int) -> Sequence[Candle]:
        self.backfills.append((symbol, limit))
        end = self.clock.now_ms() if self.clock is not None else T0
        return self._candles(symbol, end, limit)


def good(symbol: str, time_ms: int) -> Prediction:
    return Prediction(symbol, probability_up=0.8, confidence=0.8, predicted_move_pct=0.5, time_ms=time_ms,
                      expected_net_return_pct=0.2)


def poor(symbol: str, time_ms: int) -> Prediction:
    """Confident and up, but after costs it loses: the EV gate must refuse it."""
    return Prediction(symbol, probability_up=0.8, confidence=0.8, predicted_move_pct=0.5, time_ms=time_ms,
                      expected_net_return_pct=-0.05)


def good_until(end_ms: int) -> Callable[[str, int], Prediction]:
    return lambda symbol, time_ms: good(symbol, time_ms) if time_ms < end_ms else poor(symbol, time_ms)


class FakeModel:
    """Scores with `score(symbol, time_ms)`; records every batch it was given."""

    version = "fake-1"
    ev_gate_margin_pct: float | None = None

    def __init__(self, score: Callable[[str, int], Prediction] = good) -> None:
        self.score = score
        self.batches: list[tuple[list[str], tuple[int, ...]]] = []

    @property
    def feature_names(self) -> Sequence[str]:
        return FEATURE_NAMES

    def predict(self, symbols: Sequence[str], rows: npt.NDArray[np.float64],
                time_ms: int) -> list[Prediction]:
        assert rows.shape == (len(symbols), len(FEATURE_NAMES))
        self.batches.append((list(symbols), rows.shape))
        return [self.score(s, time_ms) for s in symbols]


class InMemoryJournal:
    """Durable once `record` returns; `fail_writes` makes the next writes fail like a full disk."""

    def __init__(self) -> None:
        self.records: list[CompletedTrade] = []
        self.fail_writes = 0

    def record(self, trade: CompletedTrade) -> None:
        if self.fail_writes:
            self.fail_writes -= 1
            raise OSError("No space left on device")
        self.records.append(trade)

    def trades(self) -> Sequence[CompletedTrade]:
        return list(self.records)


class _Candidate:
    def __init__(self, symbol: str) -> None:
        self.symbol = symbol


class FakeScanner:
    """The scanner as the loop sees it: `top` is what get_top_opportunities would rank first."""

    def __init__(self, top: Sequence[str] = ()) -> None:
        self.top = list(top)
        self.events: list[MarketEvent] = []
        self.refreshes = 0

    def on_event(self, event: MarketEvent) -> None:
        self.events.append(event)

    def candidates(self, n: int) -> list[_Candidate]:
        return [_Candidate(s) for s in self.top[:n]]

    async def refresh_universe(self, *, force: bool = False) -> Sequence[str] | None:
        self.refreshes += 1
        return None


def rules_for(symbol: str = "ABCUSDT", *, order_types: tuple[str, ...] = ("LIMIT", "LIMIT_MAKER", "MARKET",
              "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"), min_notional: str = "5") -> SymbolRules:
    return SymbolRules(symbol, symbol.removesuffix("USDT"), "USDT", tick_size=Decimal("0.0001"),
                       min_price=Decimal("0.0001"), step_size=Decimal("0.01"), min_qty=Decimal("0.01"),
                       min_notional=Decimal(min_notional), order_types=order_types)


def history(symbol: str, end_ms: int, limit: int, price: float = 1.0) -> list[Candle]:
    """`limit` closed 1m candles ending before `end_ms`, gently oscillating around `price` (every
    indicator gets a finite value)."""
    last_open = (end_ms // MINUTE_MS - 1) * MINUTE_MS
    candles = []
    for k in range(limit):
        i = last_open // MINUTE_MS - (limit - 1 - k)
        close = price * (1 + 0.001 * math.sin(i / 7))
        open_ = price * (1 + 0.001 * math.sin((i - 1) / 7))
        candles.append(Candle(symbol, i * MINUTE_MS, open_, max(open_, close) * 1.0005,
                              min(open_, close) * 0.9995, close, 1000 + 100 * math.sin(i / 3),
                              taker_buy_base_volume=500 + 50 * math.sin(i / 5)))
    return candles


def trade_at(symbol: str, price: float, time_ms: int) -> TradeHappened:
    return TradeHappened(Trade(symbol, price, 1.0, time_ms, buyer_is_maker=False))


@dataclass(frozen=True)
class FakeSymbolRows:
    """Test rows as walk_forward_trades.SymbolRows reads them: times, each row's symbol code, the symbols."""

    time_ms: npt.NDArray[np.int64]
    symbol: npt.NDArray[np.int64]
    symbols: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.time_ms)
