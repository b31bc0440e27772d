"""The feature engine (spec 4.3, groups A to F): one function for training and for live scoring.

`compute_features` turns a kline history into a (rows, len(FEATURE_NAMES)) float64 matrix. Training calls
it on whole histories; live scoring calls `latest_features`, which is the same function applied to the
trailing WARMUP_BARS rows. Every feature at row t depends only on rows <= t (no look-ahead), and a row is
NaN until WARMUP_BARS rows of history end at it: from there the batch value equals the live value (finite
windows are exact by construction, TA-Lib recursions have forgotten their seed below one ulp).

Missing data is never invented: `volume_delta` is NaN without taker-buy volume; group D (order book) is
NaN unless a book is given. Features are computed over consecutive rows: a caller holding a history with
time gaps computes each gap-free segment separately (adapters/history does).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from domain.features_book import BOOK_FEATURE_NAMES, BookFeaturesInput, book_features
from domain.features_kline import (
    MOMENTUM_NAMES,
    PRICE_ACTION_NAMES,
    TREND_NAMES,
    VOLATILITY_NAMES,
    VOLUME_NAMES,
    Ohlcv,
    kline_features,
)
from domain.values import Candle

__all__ = [
    "FEATURE_NAMES",
    "FEATURE_VERSION",
    "WARMUP_BARS",
    "BookFeaturesInput",
    "KlineArrays",
    "book_features",
    "compute_features",
    "latest_features",
]

FEATURE_VERSION = "v1"
FEATURE_NAMES: tuple[str, ...] = (
    MOMENTUM_NAMES + TREND_NAMES + VOLATILITY_NAMES + BOOK_FEATURE_NAMES + VOLUME_NAMES + PRICE_ACTION_NAMES
)
# Wilder's smoothing (RSI, ATR, ADX: factor 13/14 a row, ADX twice) is the slowest recursion:
# (13/14)^1000 * 1000 ~ 1e-29, far below one ulp, so the seed's trace is gone. 1000 is also the most
# klines one REST call returns.
WARMUP_BARS = 1000

_BOOK_COLUMNS = slice(FEATURE_NAMES.index(BOOK_FEATURE_NAMES[0]),
                      FEATURE_NAMES.index(BOOK_FEATURE_NAMES[-1]) + 1)
_KLINE_COLUMNS = tuple(i for i, name in enumerate(FEATURE_NAMES) if name not in BOOK_FEATURE_NAMES)

Floats = npt.NDArray[np.float64]


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

    def candle(self, symbol: str, row: int) -> Candle:
        """Row `row` as a closed Candle (the inverse of `from_candles`)."""
        trades = float(self.trades[row])
        return Candle(symbol, int(self.open_time_ms[row]), float(self.open[row]), float(self.high[row]),
                      float(self.low[row]), float(self.close[row]), float(self.volume[row]),
                      quote_volume=float(self.quote_volume[row]),
                      trades=int(trades) if math.isfinite(trades) else 0,
                      taker_buy_base_volume=float(self.taker_buy_base_volume[row]))

    @classmethod
    def from_candles(cls, candles: list[Candle]) -> KlineArrays:
        def col(name: str) -> Floats:
            return np.fromiter((getattr(c, name) for c in candles), dtype=np.float64, count=len(candles))

        return cls(np.fromiter((c.open_time_ms for c in candles), dtype=np.int64, count=len(candles)),
                   col("open"), col("high"), col("low"), col("close"), col("volume"),
                   col("taker_buy_base_volume"), col("quote_volume"), col("trades"))


def compute_features(k: KlineArrays, book: BookFeaturesInput | None = None) -> Floats:
    """Features for every row: shape (len(k), len(FEATURE_NAMES)), NaN while warming up or missing.

    `book`: None (group D NaN), one snapshot of shape (8,) applied to the last row (live), or (n, 8).
    """
    n = len(k)
    by_column = np.full((len(FEATURE_NAMES), n), np.nan)  # column-major: each feature is contiguous
    if book is not None:
        values = book.values
        if values.ndim == 1:
            if n:
                by_column[_BOOK_COLUMNS, -1] = values
        elif len(values) != n:
            raise ValueError(f"book features have {len(values)} rows for {n} klines")
        else:
            by_column[_BOOK_COLUMNS] = values.T
    start = WARMUP_BARS - 1
    if n > start:
        with np.errstate(divide="ignore", invalid="ignore"):
            columns = kline_features(
                Ohlcv(k.open, k.high, k.low, k.close, k.volume, k.taker_buy_base_volume), start)
        for col in _KLINE_COLUMNS:
            by_column[col, start:] = columns[FEATURE_NAMES[col]]
    out: Floats = by_column.T
    return out


def latest_features(k: KlineArrays, book: BookFeaturesInput | None = None) -> Floats:
    """Live path: the features of the last row, computed on the trailing WARMUP_BARS rows only.

    Fewer than WARMUP_BARS rows give NaN kline features (never a half-converged value).
    """
    if len(k) == 0:
        raise ValueError("latest_features needs at least one kline")
    window = k.tail(WARMUP_BARS)
    if book is not None and book.values.ndim == 2:
        book = BookFeaturesInput(book.values[-1])
    row: Floats = compute_features(window, book)[-1]
    return row
