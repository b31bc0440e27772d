"""Turn 1m candles into the 24 h mini tickers Binance would have shown, for replays without tickers.

The window is time-based: the bars opened in the last 24 h up to and including the new one (1440
bars when none is missing). High/low come from monotonic deques and the volumes from running sums,
so each bar costs O(1) amortised. A data set without quote volume (freqtrade files) gets
volume x close per bar: an approximation of the real quote volume (a bar's VWAP is not its close).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from domain.time_units import DAY_MS
from domain.values import Candle, Ticker


@dataclass(frozen=True, slots=True)
class _Bar:
    open_time_ms: int
    open: float
    high: float
    low: float
    volume: float
    quote_volume: float


def quote_volume_of(candle: Candle) -> float:
    """The candle's quote volume, or volume x close when the data set lacks it."""
    if math.isnan(candle.quote_volume):
        return candle.volume * candle.close
    return candle.quote_volume


class RollingTicker:
    """One symbol's rolling 24 h ticker. Push closed candles in time order; each push returns the
    ticker as of that candle's close (event time = the candle's close time)."""

    def __init__(self, symbol: str, window_ms: int = DAY_MS) -> None:
        if window_ms <= 0:
            raise ValueError(f"window_ms must be positive, got {window_ms}")
        self.symbol = symbol
        self.window_ms = window_ms
        self._bars: deque[_Bar] = deque()
        self._highs: deque[_Bar] = deque()  # decreasing highs: the front is the window's high
        self._lows: deque[_Bar] = deque()  # increasing lows: the front is the window's low
        self._volume = 0.0
        self._quote_volume = 0.0
        self._pushes = 0

    def push(self, candle: Candle) -> Ticker:
        if candle.symbol != self.symbol:
            raise ValueError(f"rolling ticker of {self.symbol} was given a {candle.symbol} candle")
        if not candle.closed:
            raise ValueError(f"{self.symbol}: only closed candles roll into the 24 h ticker")
        if self._bars and candle.open_time_ms <= self._bars[-1].open_time_ms:
            raise ValueError(f"{self.symbol}: candle at {candle.open_time_ms} is not after "
                             f"{self._bars[-1].open_time_ms}")
        bar = _Bar(candle.open_time_ms, candle.open, candle.high, candle.low, candle.volume,
                   quote_volume_of(candle))
        self._bars.append(bar)
        self._volume += bar.volume
        self._quote_volume += bar.quote_volume
        while self._highs and self._highs[-1].high <= bar.high:
            self._highs.pop()
        self._highs.append(bar)
        while self._lows and self._lows[-1].low >= bar.low:
            self._lows.pop()
        self._lows.append(bar)
        self._evict_before(candle.open_time_ms + candle.interval_ms - self.window_ms)
        self._pushes += 1
        if self._pushes % 1440 == 0:  # running sums drift by rounding: re-add them exactly now and then
            self._volume = math.fsum(b.volume for b in self._bars)
            self._quote_volume = math.fsum(b.quote_volume for b in self._bars)
        return Ticker(self.symbol, candle.close_time_ms, candle.close, self._bars[0].open,
                      self._highs[0].high, self._lows[0].low, max(self._volume, 0.0),
                      max(self._quote_volume, 0.0))

    def _evict_before(self, start_ms: int) -> None:
        while self._bars[0].open_time_ms < start_ms:
            old = self._bars.popleft()
            self._volume -= old.volume
            self._quote_volume -= old.quote_volume
            if self._highs[0] is old:
                self._highs.popleft()
            if self._lows[0] is old:
                self._lows.popleft()


class RollingTickers:
    """Rolling tickers for many symbols: what a replay needs to synthesise `!miniTicker@arr`."""

    def __init__(self, window_ms: int = DAY_MS) -> None:
        self.window_ms = window_ms
        self._by_symbol: dict[str, RollingTicker] = {}

    def push(self, candle: Candle) -> Ticker:
        rolling = self._by_symbol.get(candle.symbol)
        if rolling is None:
            rolling = self._by_symbol[candle.symbol] = RollingTicker(candle.symbol, self.window_ms)
        return rolling.push(candle)


def rolling_tickers(candles: Iterable[Candle], window_ms: int = DAY_MS) -> Iterator[Ticker]:
    """The ticker after each candle (candles of several symbols may be interleaved)."""
    book = RollingTickers(window_ms)
    for candle in candles:
        yield book.push(candle)
