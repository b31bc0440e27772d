"""Market-state regimes read from the data itself, with no look-ahead, and a candidate's figures per regime.

The market is an equal-weighted index of the universe's closes: each bar's index return is the mean of the
log returns of the pairs that have one (a pair's return needs its previous bar exactly one interval
earlier, so a hole gives none). At a time T only the bars closed by T are read (close time = open time +
interval <= T), over a trailing window of `window_minutes`:
- drift: the index's move over the window, (exp(sum of returns) - 1) in %: "up" above +drift_band_pct,
  "down" below -drift_band_pct, else "flat";
- volatility: the standard deviation of the index's returns over the window, "high" when above that of
  the longer `baseline_minutes` window ending at the same time (volatility above its own recent level),
  else "low".
Fewer than two returns in a window: "unknown". A trade takes the regime of its entry time; its figures
per regime are the clustered means of domain.statistics.clustered (the same clusters as its headline).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from domain.statistics.clustered import ClusteredMean, cluster_ids, clustered_mean
from domain.time_units import MINUTE_MS

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Labels = npt.NDArray[np.str_]
UNKNOWN = "unknown"


@dataclass(frozen=True)
class RegimeRules:
    window_minutes: int = 1440  # the trailing window of drift and volatility
    drift_band_pct: float = 1.0  # a drift within +-this is "flat"
    baseline_minutes: int = 10080  # volatility is "high" above this longer window's

    def describe(self) -> str:
        return (f"equal-weighted index of the universe's 1m closes, trailing {self.window_minutes} min: "
                f"drift up/down beyond +-{self.drift_band_pct:g}%, else flat; volatility high above the "
                f"trailing {self.baseline_minutes} min's, else low; only bars closed by the trade's entry")


@dataclass(frozen=True)
class MarketIndex:
    close_ms: Ints  # each index bar's close time (open time + interval), ascending
    log_return: Floats  # the equal-weighted mean of the pairs' log returns over that bar


@dataclass(frozen=True)
class MarketStates:
    drift: Labels  # up | down | flat | unknown, per time asked
    volatility: Labels  # high | low | unknown

    @property
    def combined(self) -> Labels:
        both: Labels = np.char.add(np.char.add(self.drift.astype(np.str_), ", "),
                                   np.char.add(self.volatility.astype(np.str_), " volatility"))
        return both


def market_index(open_ms: Sequence[Ints], closes: Sequence[Floats], interval_ms: int = MINUTE_MS
                 ) -> MarketIndex:
    """The index of these pairs (one open-time and close array each, ascending in time)."""
    times, returns = [], []
    for t, c in zip(open_ms, closes, strict=True):
        follows = np.diff(t) == interval_ms
        times.append(t[1:][follows])
        returns.append(np.log(c[1:][follows] / c[:-1][follows]))
    every = np.concatenate(times) if times else np.empty(0, np.int64)
    grid, where = np.unique(every, return_inverse=True)
    summed = np.bincount(where, weights=np.concatenate(returns) if returns else None, minlength=len(grid))
    counts = np.bincount(where, minlength=len(grid))
    mean = summed / np.maximum(counts, 1)
    return MarketIndex((grid + interval_ms).astype(np.int64), mean.astype(np.float64))


def _window(index: MarketIndex, at_ms: Ints, minutes: int) -> tuple[Ints, Floats, Floats]:
    """(returns, their sum, their standard deviation) of the index bars closed in (T - window, T]."""
    sums = np.concatenate([[0.0], np.cumsum(index.log_return)])
    squares = np.concatenate([[0.0], np.cumsum(index.log_return ** 2)])
    end = np.searchsorted(index.close_ms, at_ms, side="right")
    start = np.searchsorted(index.close_ms, at_ms - minutes * MINUTE_MS, side="right")
    count = (end - start).astype(np.int64)
    total = sums[end] - sums[start]
    n = np.maximum(count, 1)
    variance = np.maximum((squares[end] - squares[start]) / n - (total / n) ** 2, 0.0)
    return count, total, np.sqrt(variance)


def market_states(index: MarketIndex, at_ms: Ints, rules: RegimeRules) -> MarketStates:
    """The regime at each time of `at_ms` (reading only the index bars closed by then)."""
    at = np.asarray(at_ms, dtype=np.int64)
    count, total, vol = _window(index, at, rules.window_minutes)
    base_count, _, base_vol = _window(index, at, rules.baseline_minutes)
    drift_pct = np.expm1(total) * 100
    known = (count >= 2) & (base_count >= 2)
    drift = np.where(drift_pct > rules.drift_band_pct, "up",
                     np.where(drift_pct < -rules.drift_band_pct, "down", "flat"))
    volatility = np.where(vol > base_vol, "high", "low")
    return MarketStates(np.where(known, drift, UNKNOWN).astype(np.str_),
                        np.where(known, volatility, UNKNOWN).astype(np.str_))


def per_regime(net_pct: Floats, time_ms: Ints, regime: Labels, span_ms: int
               ) -> tuple[tuple[str, ClusteredMean], ...]:
    """The clustered mean of the trades of each regime (clusters of `span_ms`), regimes in sorted order."""
    clusters = cluster_ids(time_ms, span_ms)
    return tuple((str(name), clustered_mean(net_pct[regime == name], clusters[regime == name]))
                 for name in sorted(set(regime.tolist())))
