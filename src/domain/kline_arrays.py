"""Klines of one symbol as parallel numpy arrays: the value every reader returns and every feature reads.
Apart from domain.features (which re-exports it) so that loading klines does not import TA-Lib."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from domain.values import Candle

Floats = npt.NDArray[np.float64]
# The rows of history a feature row needs before it is exact (domain.features).
# Wilder's smoothing (RSI, ATR, ADX: factor 13/14 a row, ADX twice) is the slowest recursion:
# (13/14)^1000 * 1000 ~ 1e-29, far below one ulp, so the seed's trace is gone. 1000 is also the most
# klines one REST call returns.
WARMUP_BARS = 1000


def _nan_array(n: int) -> Floats:
    return np.full(n, np.nan)


_COLUMN_NAMES = ("open_time_ms", "open", "high", "low", "close", "volume", "taker_buy_base_volume",
                 "quote_volume", "trades")


@dataclass(frozen=True, slots=True)
class KlineArrays:
    """Klines of one symbol as parallel arrays, oldest first. Optional columns default to all-NaN."""

    open_time_ms: npt.NDArray[np.int64]
    open: Floats
    high: Floats
    low: Floats
    close: Floats
    volume: Floats
    taker_buy_base_volume: Floats = field(default_factory=lambda: _nan_array(0))
    quote_volume: Floats = field(default_factory=lambda: _nan_array(0))
    trades: Floats = field(default_factory=lambda: _nan_array(0))

    def __post_init__(self) -> None:
        n = len(self.open_time_ms)
        object.__setattr__(self, "open_time_ms", np.ascontiguousarray(self.open_time_ms, dtype=np.int64))
        for name in ("open", "high", "low", "close", "volume", "taker_buy_base_volume", "quote_volume",
                     "trades"):
            values = np.ascontiguousarray(getattr(self, name), dtype=np.float64)
            if values.ndim != 1:
                raise ValueError(f"KlineArrays.{name} must be 1-D, got shape {values.shape}")
            if len(values) == 0 and n and name in ("taker_buy_base_volume", "quote_volume", "trades"):
                values = _nan_array(n)
            if len(values) != n:
                raise ValueError(f"KlineArrays.{name} has {len(values)} rows, open_time_ms has {n}")
            object.__setattr__(self, name, values)

    def __len__(self) -> int:
        return len(self.open_time_ms)

    def rows(self, start: int, stop: int) -> KlineArrays:
        """Rows start..stop as views of these arrays, already checked: no copy, no check again."""
        view = object.__new__(KlineArrays)
        for name in _COLUMN_NAMES:
            object.__setattr__(view, name, getattr(self, name)[start:stop])
        return view

    def tail(self, rows: int) -> KlineArrays:
        start = max(len(self) - rows, 0)
        return KlineArrays(self.open_time_ms[start:], self.open[start:], self.high[start:],
                           self.low[start:], self.close[start:], self.volume[start:],
                           self.taker_buy_base_volume[start:], self.quote_volume[start:],
                           self.trades[start:])

    def candle(self, symbol: str, row: int, interval_ms: int = 60_000) -> Candle:
        """Row `row` as a closed Candle (the inverse of `from_candles`) of `interval_ms` (1m by default)."""
        trades = self.trades.item(row)  # item(): the Python number at once, no numpy scalar between
        # Every field by position (quote_volume, trades, taker_buy_base_volume, closed, interval_ms): a
        # replay builds thousands, and keywords cost the fast __init__ a third of its time.
        return Candle(symbol, self.open_time_ms.item(row), self.open.item(row), self.high.item(row),
                      self.low.item(row), self.close.item(row), self.volume.item(row),
                      self.quote_volume.item(row), int(trades) if math.isfinite(trades) else 0,
                      self.taker_buy_base_volume.item(row), True, interval_ms)

    @classmethod
    def from_candles(cls, candles: list[Candle]) -> KlineArrays:
        def col(name: str) -> Floats:
            return np.fromiter((getattr(c, name) for c in candles), dtype=np.float64, count=len(candles))

        return cls(np.fromiter((c.open_time_ms for c in candles), dtype=np.int64, count=len(candles)),
                   col("open"), col("high"), col("low"), col("close"), col("volume"),
                   col("taker_buy_base_volume"), col("quote_volume"), col("trades"))
