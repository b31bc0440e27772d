"""Market values shared by every layer. Times are integer milliseconds since the epoch (UTC)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from domain.fast_init import fast_frozen_init


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class CorruptMarketData(ValueError):
    """A market value that cannot be real (NaN, zero or negative price): rejected at the border."""


def require_price(name: str, value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise CorruptMarketData(f"{name} must be a finite positive price, got {value!r}")
    return value


def require_amount(name: str, value: float) -> float:
    if not math.isfinite(value) or value < 0:
        raise CorruptMarketData(f"{name} must be a finite non-negative amount, got {value!r}")
    return value


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class Candle:
    """One kline. Volumes are base asset unless named quote; NaN where a data set lacks the column."""

    symbol: str
    open_time_ms: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    quote_volume: float = math.nan
    trades: int = 0
    taker_buy_base_volume: float = math.nan
    closed: bool = True
    interval_ms: int = 60_000

    def __post_init__(self) -> None:
        low, high = self.low, self.high
        # One chain for a sound bar (every replayed minute builds some): it holds exactly when the checks
        # below all pass (low > 0 and high finite bound every price; NaN fails any comparison).
        if 0.0 < low <= self.open <= high < math.inf and low <= self.close <= high \
                and 0.0 <= self.volume < math.inf:
            return
        for name in ("open", "high", "low", "close"):
            require_price(name, getattr(self, name))
        require_amount("volume", self.volume)
        if self.high < max(self.open, self.close) or self.low > min(self.open, self.close):
            raise CorruptMarketData(
                f"{self.symbol} candle at {self.open_time_ms}: high/low do not contain open/close"
            )

    @property
    def close_time_ms(self) -> int:
        return self.open_time_ms + self.interval_ms - 1


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class Ticker:
    """A 24 h mini ticker (`24hrMiniTicker`)."""

    symbol: str
    event_time_ms: int
    close: float
    open: float
    high: float
    low: float
    volume: float
    quote_volume: float

    def __post_init__(self) -> None:
        inf = math.inf  # the checks below, in one chain (a paper feed builds a ticker per pair per frame)
        if 0.0 < self.close < inf and 0.0 < self.open < inf and 0.0 < self.high < inf \
                and 0.0 < self.low < inf and 0.0 <= self.volume < inf and 0.0 <= self.quote_volume < inf:
            return
        for name in ("close", "open", "high", "low"):
            require_price(name, getattr(self, name))
        require_amount("volume", self.volume)
        require_amount("quote_volume", self.quote_volume)


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class BookTop:
    symbol: str
    bid: float
    bid_qty: float
    ask: float
    ask_qty: float
    time_ms: int = 0

    def __post_init__(self) -> None:
        inf = math.inf  # the checks below, in one chain
        if 0.0 < self.bid < inf and 0.0 < self.ask < inf and 0.0 <= self.bid_qty < inf \
                and 0.0 <= self.ask_qty < inf:
            return
        require_price("bid", self.bid)
        require_price("ask", self.ask)
        require_amount("bid_qty", self.bid_qty)
        require_amount("ask_qty", self.ask_qty)

    @property
    def mid(self) -> float:
        return (self.bid + self.ask) / 2

    @property
    def spread_pct(self) -> float:
        return (self.ask - self.bid) / self.bid * 100


Level = tuple[float, float]  # (price, quantity)


@dataclass(frozen=True, slots=True)
class OrderBook:
    """Top levels of a book, best first on both sides."""

    symbol: str
    bids: tuple[Level, ...]
    asks: tuple[Level, ...]
    time_ms: int = 0
    last_update_id: int = 0

    def __post_init__(self) -> None:
        for side_name, levels in (("bid", self.bids), ("ask", self.asks)):
            for price, qty in levels:
                require_price(f"{side_name} price", price)
                require_amount(f"{side_name} quantity", qty)

    @property
    def top(self) -> BookTop | None:
        if not self.bids or not self.asks:
            return None
        return BookTop(self.symbol, self.bids[0][0], self.bids[0][1], self.asks[0][0], self.asks[0][1],
                       self.time_ms)


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class Trade:
    symbol: str
    price: float
    quantity: float
    time_ms: int
    buyer_is_maker: bool
    trade_id: int = 0

    def __post_init__(self) -> None:
        if 0.0 < self.price < math.inf and 0.0 <= self.quantity < math.inf:  # the checks below, in one chain
            return
        require_price("price", self.price)
        require_amount("quantity", self.quantity)

    @property
    def taker_side(self) -> Side:
        return Side.SELL if self.buyer_is_maker else Side.BUY
