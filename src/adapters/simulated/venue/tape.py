"""One symbol's recorded 1m bars, read at any simulated instant: the bar in progress, the 24 h window.

Within a minute the price walks open -> low -> high -> close for a rising bar (open -> high -> low ->
close for a falling one), linearly over thirds of the minute; volume, quote volume, trades and taker
volume grow in proportion to the elapsed fraction. So a partial kline at second 20 of a bar shows the
low already visited, and its final update equals the recorded bar. Columns a data set lacks are filled
at the border and say so: quote volume = volume x close, taker-buy volume = half the volume, trades 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from domain.features import KlineArrays
from domain.time_units import DAY_MS, MINUTE_MS


@dataclass(frozen=True, slots=True)
class BarView:
    """A bar as seen at some instant: complete (`closed`) or the part elapsed so far."""

    index: int
    open_time_ms: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    quote_volume: float
    trades: int
    taker_buy_base_volume: float
    taker_buy_quote_volume: float
    closed: bool
    rising: bool  # the price is moving up at this instant (who was the taker)


@dataclass(frozen=True, slots=True)
class WindowView:
    """The rolling 24 h statistics of a ticker."""

    open_time_ms: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    quote_volume: float
    trades: int
    first_trade_id: int
    last_trade_id: int


def _filled(values: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), fallback, values)


class SymbolTape:
    def __init__(self, symbol: str, k: KlineArrays) -> None:
        self.symbol = symbol
        self.open_time = k.open_time_ms
        self.open, self.high, self.low, self.close, self.volume = k.open, k.high, k.low, k.close, k.volume
        self.quote_volume = _filled(k.quote_volume, k.volume * k.close)
        self.trades = _filled(k.trades, np.zeros(len(k))).astype(np.int64)
        self.taker_base = _filled(k.taker_buy_base_volume, k.volume / 2)
        self.taker_quote = self.taker_base * self.quote_volume / np.where(k.volume > 0, k.volume, 1.0)
        self._cum_volume = np.concatenate(([0.0], np.cumsum(self.volume)))
        self._cum_quote = np.concatenate(([0.0], np.cumsum(self.quote_volume)))
        self._cum_trades = np.concatenate(([0], np.cumsum(self.trades)))
        self.tick = 0.0  # price grid of the walk inside a bar (the symbol's tick size, once known)

    def __len__(self) -> int:
        return len(self.open_time)

    def closed_count(self, t_ms: int) -> int:
        """How many bars closed by `t_ms` (a bar closes at open + 1 min)."""
        return int(np.searchsorted(self.open_time, t_ms - MINUTE_MS, side="right"))

    def first_at_or_after(self, t_ms: int) -> int:
        return int(np.searchsorted(self.open_time, t_ms, side="left"))

    def closed_bar(self, i: int) -> BarView:
        return BarView(i, int(self.open_time[i]), float(self.open[i]), float(self.high[i]),
                       float(self.low[i]), float(self.close[i]), float(self.volume[i]),
                       float(self.quote_volume[i]), int(self.trades[i]), float(self.taker_base[i]),
                       float(self.taker_quote[i]), True, bool(self.close[i] >= self.open[i]))

    def bar_at(self, t_ms: int) -> BarView | None:
        """The bar in progress at `t_ms`, or None when no bar covers that minute (gap, before, after)."""
        i = self.closed_count(t_ms)
        if i >= len(self) or self.open_time[i] > t_ms:
            return None
        fraction = (t_ms - int(self.open_time[i])) / MINUTE_MS
        o, h, lo, c = float(self.open[i]), float(self.high[i]), float(self.low[i]), float(self.close[i])
        path = (o, lo, h, c) if c >= o else (o, h, lo, c)
        leg = min(int(fraction * 3), 2)
        price = path[leg] + (path[leg + 1] - path[leg]) * (fraction * 3 - leg)
        if self.tick > 0:
            price = round(round(price / self.tick) * self.tick, 8)
        visited = (*path[:leg + 1], price)
        return BarView(i, int(self.open_time[i]), o, max(visited), min(visited), price,
                       float(self.volume[i]) * fraction, float(self.quote_volume[i]) * fraction,
                       int(self.trades[i] * fraction), float(self.taker_base[i]) * fraction,
                       float(self.taker_quote[i]) * fraction, False, path[leg + 1] >= path[leg])

    def last_price(self, t_ms: int) -> float | None:
        bar = self.bar_at(t_ms)
        if bar is not None:
            return bar.close
        closed = self.closed_count(t_ms)
        return float(self.close[closed - 1]) if closed else None

    def window(self, t_ms: int, window_ms: int = DAY_MS) -> WindowView | None:
        """The 24 h ticker at `t_ms`: closed bars opened in the window plus the bar in progress."""
        closed = self.closed_count(t_ms)
        first = self.first_at_or_after(t_ms - window_ms)
        partial = self.bar_at(t_ms)
        if closed == 0 and partial is None:
            return None
        highs = [float(self.high[first:closed].max())] if closed > first else []
        lows = [float(self.low[first:closed].min())] if closed > first else []
        volume = float(self._cum_volume[closed] - self._cum_volume[min(first, closed)])
        quote = float(self._cum_quote[closed] - self._cum_quote[min(first, closed)])
        trades = int(self._cum_trades[closed] - self._cum_trades[min(first, closed)])
        if partial is not None:
            highs.append(partial.high)
            lows.append(partial.low)
            volume += partial.volume
            quote += partial.quote_volume
            trades += partial.trades
        last = partial.close if partial is not None else float(self.close[closed - 1])
        if not highs:  # nothing traded in 24 h: the last price everywhere, zero volume
            return WindowView(t_ms - window_ms, last, last, last, last, 0.0, 0.0, 0, -1, -1)
        open_price = float(self.open[first]) if closed > first else partial.open  # type: ignore[union-attr]
        first_id = int(self._cum_trades[min(first, closed)]) if trades else -1
        return WindowView(max(t_ms - window_ms, int(self.open_time[min(first, len(self) - 1)])), open_price,
                          max(highs), min(lows), last, volume, quote, trades, first_id,
                          first_id + trades - 1 if trades else -1)
