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
    kline_feature_groups,
    kline_features,
)
from domain.kline_arrays import WARMUP_BARS, KlineArrays

__all__ = [
    "FEATURE_NAMES",
    "FEATURE_VERSION",
    "WARMUP_BARS",
    "BookFeaturesInput",
    "KlineArrays",
    "book_features",
    "compute_features",
    "compute_features_into",
    "latest_features",
]

FEATURE_VERSION = "v1"
FEATURE_NAMES: tuple[str, ...] = (
    MOMENTUM_NAMES + TREND_NAMES + VOLATILITY_NAMES + BOOK_FEATURE_NAMES + VOLUME_NAMES + PRICE_ACTION_NAMES
)

_BOOK_COLUMNS = slice(FEATURE_NAMES.index(BOOK_FEATURE_NAMES[0]),
                      FEATURE_NAMES.index(BOOK_FEATURE_NAMES[-1]) + 1)
_KLINE_COLUMNS = tuple(i for i, name in enumerate(FEATURE_NAMES) if name not in BOOK_FEATURE_NAMES)
_COLUMN_OF = {name: i for i, name in enumerate(FEATURE_NAMES)}

Floats = npt.NDArray[np.float64]


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


def compute_features_into(k: KlineArrays, out: npt.NDArray[np.floating]) -> None:
    """compute_features(k) (without a book) written into `out`, shape (len(k), len(FEATURE_NAMES)), of any
    float dtype: float32 gets the values of casting compute_features' matrix, without its float64 copy
    (~130 MB on a 400k-bar history)."""
    if out.shape != (len(k), len(FEATURE_NAMES)):
        raise ValueError(f"features of {len(k)} klines need shape {(len(k), len(FEATURE_NAMES))}, "
                         f"not {out.shape}")
    out[:] = np.nan
    start = WARMUP_BARS - 1
    if len(k) > start:
        ohlcv = Ohlcv(k.open, k.high, k.low, k.close, k.volume, k.taker_buy_base_volume)
        with np.errstate(divide="ignore", invalid="ignore"):
            for group in kline_feature_groups(ohlcv, start):
                for name, column in group.items():
                    out[start:, _COLUMN_OF[name]] = np.asarray(column, dtype=np.float64)
                del group


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
