"""The scanner's fast path: a parsed `!miniTicker@arr` frame (Binance's 24hrMiniTicker field letters
E, s, c, h, l, q) straight into arrays, with no Ticker objects.

Turning decimal strings into floats is most of the cost, so the 24 h high and low, which rarely
change, are parsed only when their string differs from the one last seen for that row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from domain.scanner_history import FloatArray, IntArray

ObjectArray = npt.NDArray[np.object_]


@dataclass(frozen=True, slots=True)
class TickerColumns:
    rows: IntArray
    times: npt.NDArray[np.int64]
    close: FloatArray
    high: FloatArray
    low: FloatArray
    quote: FloatArray
    dropped: int  # corrupt items refused


class MiniTickerDecoder:
    def __init__(self, capacity: int) -> None:
        self.seen_high: ObjectArray = np.full(capacity, None, dtype=object)
        self.seen_low: ObjectArray = np.full(capacity, None, dtype=object)

    def forget(self, rows: IntArray) -> None:
        """These rows' high/low were set another way (or the rows were freed): parse them next time."""
        self.seen_high[rows] = None
        self.seen_low[rows] = None

    def decode(self, mine: Sequence[tuple[int, Mapping[str, Any]]], high_now: FloatArray,
               low_now: FloatArray) -> TickerColumns:
        """`mine`: (row, item) for the items of scanned symbols. Raises KeyError/TypeError/ValueError on
        a malformed item (the caller then goes item by item); NaN, zero or negative values are dropped."""
        n = len(mine)
        rows = np.fromiter((r for r, _ in mine), np.intp, n)
        times = np.fromiter((d["E"] for _, d in mine), np.int64, n)
        close = np.fromiter(map(float, [d["c"] for _, d in mine]), np.float64, n)
        quote = np.fromiter(map(float, [d["q"] for _, d in mine]), np.float64, n)
        high_str = np.array([d["h"] for _, d in mine], dtype=object)
        low_str = np.array([d["l"] for _, d in mine], dtype=object)
        high, low = high_now[rows], low_now[rows]
        moved = np.flatnonzero((high_str != self.seen_high[rows]) | (low_str != self.seen_low[rows]))
        if moved.size:
            high[moved] = np.fromiter(map(float, high_str[moved]), np.float64, moved.size)
            low[moved] = np.fromiter(map(float, low_str[moved]), np.float64, moved.size)
        good = (close > 0) & (high > 0) & (low > 0) & (quote >= 0)
        good &= np.isfinite(close) & np.isfinite(high) & np.isfinite(low) & np.isfinite(quote)
        dropped = 0
        if not good.all():
            dropped = int(n - good.sum())
            rows, times, close, quote = rows[good], times[good], close[good], quote[good]
            high, low, high_str, low_str = high[good], low[good], high_str[good], low_str[good]
        self.seen_high[rows] = high_str
        self.seen_low[rows] = low_str
        return TickerColumns(rows, times, close, high, low, quote, dropped)
