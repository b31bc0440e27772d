"""Group D of spec 4.3: order-book features from one snapshot (top levels) and the last trade price.

They describe an instant, not a history: live scoring computes them from the current book; a history
has them only when a book was recorded for each row, otherwise they are NaN (never invented).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from domain.values import Level, OrderBook

BOOK_FEATURE_NAMES: tuple[str, ...] = (
    "book_spread_pct",  # (ask1 - bid1) / bid1 * 100, as BookTop.spread_pct
    "book_imbalance_5",  # (bid qty - ask qty) / (bid qty + ask qty) over the 5 best levels, in [-1, 1]
    "book_bid_depth_10",  # quote notional (price * qty) of the 10 best bids
    "book_ask_depth_10",  # quote notional of the 10 best asks
    "book_depth_ratio_10",  # bid depth / ask depth
    "book_bid_pressure",  # share of the bid depth within BOOK_NEAR_PCT of the mid, in [0, 1]
    "book_ask_pressure",  # share of the ask depth within BOOK_NEAR_PCT of the mid, in [0, 1]
    "book_mid_vs_last_pct",  # (mid - last trade price) / last trade price * 100
)
BOOK_DEPTH_LEVELS = 10
BOOK_IMBALANCE_LEVELS = 5
BOOK_NEAR_PCT = 0.1


@dataclass(frozen=True, slots=True)
class BookFeaturesInput:
    """Group D values ready for `compute_features`.

    `values` is (8,) for one snapshot (applied to the last row: the live path) or (n, 8), one row per
    kline (a recorded history of books). Use `BookFeaturesInput.from_book` for a live snapshot.
    """

    values: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        shape = self.values.shape
        if shape[-1:] != (len(BOOK_FEATURE_NAMES),) or len(shape) not in (1, 2):
            raise ValueError(
                f"book feature values must have shape (8,) or (n, 8), got {shape}")

    @classmethod
    def from_book(cls, book: OrderBook, last_price: float) -> BookFeaturesInput:
        return cls(book_features(book, last_price))


def _qty(levels: tuple[Level, ...], count: int) -> float:
    return math.fsum(qty for _, qty in levels[:count])


def _notional(levels: tuple[Level, ...], count: int) -> float:
    return math.fsum(price * qty for price, qty in levels[:count])


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan


def book_features(book: OrderBook, last_price: float) -> npt.NDArray[np.float64]:
    """The 8 group-D values in BOOK_FEATURE_NAMES order; all NaN when a side of the book is empty."""
    top = book.top
    if top is None:
        return np.full(len(BOOK_FEATURE_NAMES), np.nan)
    mid = top.mid
    bid_qty = _qty(book.bids, BOOK_IMBALANCE_LEVELS)
    ask_qty = _qty(book.asks, BOOK_IMBALANCE_LEVELS)
    bid_depth = _notional(book.bids, BOOK_DEPTH_LEVELS)
    ask_depth = _notional(book.asks, BOOK_DEPTH_LEVELS)
    band = mid * BOOK_NEAR_PCT / 100
    near_bids = tuple(lv for lv in book.bids[:BOOK_DEPTH_LEVELS] if lv[0] >= mid - band)
    near_asks = tuple(lv for lv in book.asks[:BOOK_DEPTH_LEVELS] if lv[0] <= mid + band)
    last_ok = math.isfinite(last_price) and last_price > 0
    return np.array([
        top.spread_pct,
        _ratio(bid_qty - ask_qty, bid_qty + ask_qty),
        bid_depth,
        ask_depth,
        _ratio(bid_depth, ask_depth),
        _ratio(_notional(near_bids, BOOK_DEPTH_LEVELS), bid_depth),
        _ratio(_notional(near_asks, BOOK_DEPTH_LEVELS), ask_depth),
        (mid - last_price) / last_price * 100 if last_ok else math.nan,
    ], dtype=np.float64)
