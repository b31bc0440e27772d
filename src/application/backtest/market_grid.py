"""The backtest's view of recorded klines: every symbol's bars on one global minute grid.

`rows[s, t]` is the row of symbol `s` in its own KlineArrays at minute `t` of the grid, or -1 when the
symbol has no bar then (not listed yet, delisted, a gap). Times follow Binance: a bar opens at
`minutes[t]` and closes at `minutes[t] + 59_999` ms, the instant the backtest decides on it.

Bars longer than a minute (the lab's 5m..1h candidates, resampled): `bar_ms` is their length; a "minute"
of the grid is then one bar, which closes at `minutes[t] + bar_ms - 1`, and the next bar of a symbol is
the one opening `bar_ms` later. 1m klines keep the default.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from domain.features import KlineArrays
from domain.time_units import MINUTE_MS
from domain.values import Candle

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class BacktestMarket:
    symbols: tuple[str, ...]
    klines: Mapping[str, KlineArrays]
    minutes: IntArray  # open times of the grid, strictly increasing
    rows: npt.NDArray[np.int32]  # (len(symbols), len(minutes)); -1 = no bar
    bar_ms: int = MINUTE_MS  # every bar's length

    @classmethod
    def build(cls, klines: Mapping[str, KlineArrays], bar_ms: int = MINUTE_MS) -> BacktestMarket:
        """Symbols in name order; refuses unsorted or non-minute-aligned data (a loader bug upstream),
        and bars of `bar_ms` that do not open on a multiple of it."""
        symbols = tuple(sorted(s for s, k in klines.items() if len(k)))
        for symbol in symbols:
            times = klines[symbol].open_time_ms
            if np.any(np.diff(times) <= 0):
                raise ValueError(f"{symbol}: bars must be in strictly increasing open-time order")
            if bar_ms == MINUTE_MS and np.any(times % MINUTE_MS):
                raise ValueError(f"{symbol}: open times must fall on minute boundaries (1m klines only)")
            if bar_ms != MINUTE_MS and (bar_ms <= 0 or bar_ms % MINUTE_MS or np.any(times % bar_ms)):
                raise ValueError(f"{symbol}: open times must fall on {bar_ms} ms bar boundaries")
        if not symbols:
            empty = np.empty(0, dtype=np.int64)
            return cls((), {}, empty, np.empty((0, 0), dtype=np.int32), bar_ms)
        minutes = np.unique(np.concatenate([klines[s].open_time_ms for s in symbols])).astype(np.int64)
        rows = np.full((len(symbols), len(minutes)), -1, dtype=np.int32)
        for i, symbol in enumerate(symbols):
            times = klines[symbol].open_time_ms
            rows[i, np.searchsorted(minutes, times)] = np.arange(len(times), dtype=np.int32)
        return cls(symbols, {s: klines[s] for s in symbols}, minutes, rows, bar_ms)

    @property
    def bar_count(self) -> int:
        return int(sum(len(k) for k in self.klines.values()))

    def close_ms(self, t: int) -> int:
        """The decision instant of minute `t`: its bars' close time."""
        return self._minute_list[t] + self.bar_ms - 1

    @cached_property
    def _minute_list(self) -> list[int]:
        """`minutes` as Python ints: bisect on them is ~10x cheaper than np.searchsorted for one value,
        and the replay asks several times a minute."""
        return [int(m) for m in self.minutes]

    def minute_at(self, time_ms: int) -> int:
        """The last minute whose bars have closed by `time_ms` (-1 before the first)."""
        return bisect.bisect_right(self._minute_list, time_ms - self.bar_ms + 1) - 1

    def first_minute_from(self, time_ms: int) -> int:
        """The first minute opening at or after `time_ms`."""
        return int(np.searchsorted(self.minutes, time_ms, side="left"))

    def candle(self, s: int, t: int) -> Candle | None:
        row: int = self.rows.item(s, t)
        return None if row < 0 else self.candle_at_row(self.symbols[s], row)

    def candle_at_row(self, symbol: str, row: int) -> Candle:
        return self.klines[symbol].candle(symbol, row, self.bar_ms)

    def bar_and_next_open(self, s: int, t: int) -> tuple[Candle, tuple[float, float, int]] | None:
        """(`candle(s, t)`, the next bar's (open, volume, open time)) with the row looked up once, no
        candle built for the next bar (a replay's candidates: the bar the loop sees, and the price an entry
        decided on it fills at); None when the symbol has no bar at t or none the minute after."""
        row: int = self.rows.item(s, t)
        symbol = self.symbols[s]
        k = self.klines[symbol]
        if row < 0 or row + 1 >= len(k):
            return None
        opened: int = k.open_time_ms.item(row + 1)
        if opened != k.open_time_ms.item(row) + self.bar_ms:
            return None
        return k.candle(symbol, row, self.bar_ms), (k.open.item(row + 1), k.volume.item(row + 1), opened)

    def has_next_bar(self) -> npt.NDArray[np.bool_]:
        """(symbols, minutes): True where the symbol has a bar at t and at the minute after it."""
        have = self.rows >= 0
        out = np.zeros_like(have)
        if have.shape[1] > 1:
            contiguous = np.diff(self.minutes) == self.bar_ms
            out[:, :-1] = have[:, :-1] & have[:, 1:] & contiguous[None, :]
        return out
