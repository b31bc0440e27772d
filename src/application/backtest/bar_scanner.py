"""The scanner's rules (domain.scanner_rules) applied to every bar of a kline history at once.

Live, MultiPairScanner keeps a pair's state from mini tickers and candles; a replay of klines feeds it
each minute's closed candle and the 24 h rolling ticker (domain.rolling_ticker). This module computes
the same inputs for every bar in one pass, then calls the same rule functions:
- price: the bar's close; 1 and 5 min ago: the close of the last bar opened at least 1 / 5 min earlier
  (what the scanner's per-second history holds at the bar's close);
- 24 h high and quote volume: over the bars opened in the last 24 h up to this one (the rolling ticker's
  window), quote volume = volume x close where the data set lacks it;
- last-minute volume: the bar's own quote volume (the scanner's exact candle figure);
- spread: unknown (NaN; klines carry no book), which never blocks and earns no spread score.
No value at a bar depends on a later bar.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from domain.features import KlineArrays
from domain.scanner_rules import ScannerRules, alert_masks, alert_metrics, eligible, quick_score
from domain.time_units import DAY_MS, MINUTE_MS

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class BarScores:
    quick_score: Floats  # spec 4.2 ranking score per bar, 0 where the pair fails the volume filter
    alert: npt.NDArray[np.bool_]  # some alert type fires at this bar (and the pair is eligible)


def quote_volumes(k: KlineArrays) -> Floats:
    return np.where(np.isfinite(k.quote_volume), k.quote_volume, k.volume * k.close)


def window_starts(open_time_ms: Ints, window_ms: int = DAY_MS) -> Ints:
    """Per bar, the first row of its rolling window (bars opened within `window_ms` up to it)."""
    return np.searchsorted(open_time_ms, open_time_ms - window_ms + MINUTE_MS, side="left").astype(np.int64)


def window_max(values: Floats, starts: Ints) -> Floats:
    """max(values[starts[i] : i + 1]) for every i, with a sparse table (O(n log w), exact)."""
    n = len(values)
    if n == 0:
        return values.copy()
    lengths = np.arange(n, dtype=np.int64) - starts + 1
    levels = [values]
    while (1 << len(levels)) <= int(lengths.max()):
        half = 1 << (len(levels) - 1)
        previous = levels[-1]
        levels.append(np.maximum(previous[:-half], previous[half:]))
    out = np.empty(n)
    power = np.floor(np.log2(lengths)).astype(np.int64)
    for level in np.unique(power):
        at = np.flatnonzero(power == level)
        table, span = levels[int(level)], 1 << int(level)
        out[at] = np.maximum(table[starts[at]], table[at - span + 1])
    return out


def price_ago(k: KlineArrays, minutes: int) -> Floats:
    """Close of the last bar opened at least `minutes` before each bar (NaN when none)."""
    at = np.searchsorted(k.open_time_ms, k.open_time_ms - minutes * MINUTE_MS, side="right") - 1
    return np.where(at >= 0, k.close[np.clip(at, 0, None)], np.nan)


def bar_scores(k: KlineArrays, rules: ScannerRules) -> BarScores:
    quote = quote_volumes(k)
    starts = window_starts(k.open_time_ms)
    cumulative = np.concatenate(([0.0], np.cumsum(quote)))
    volume_24h = cumulative[1:] - cumulative[starts]
    high_24h = window_max(k.high, starts)
    price = k.close
    metrics = alert_metrics(price, price_ago(k, 1), price_ago(k, 5), high_24h, quote, volume_24h)
    spread = np.full(len(k), np.nan)
    ok = eligible(price, volume_24h, spread, rules)
    score = quick_score(metrics, spread, rules.volume_spike_ratio)
    alerts = alert_masks(rules, metrics).any(axis=0) & ok
    return BarScores(np.where(ok & np.isfinite(score), score, 0.0), alerts)


def top_candidates(scores: npt.NDArray[np.float64], n: int) -> tuple[Ints, Ints]:
    """The `n` best symbols (score > 0) of every minute of a (symbols, minutes) score matrix, best first
    (ties: the lower symbol index first). Returns (minute, symbol) index arrays, minute-major."""
    symbols, minutes = scores.shape
    if n <= 0 or symbols == 0 or minutes == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    take = min(n, symbols)
    # lexsort by (-score, symbol) within each minute: stable on the symbol index for equal scores
    order = np.argsort(-scores, axis=0, kind="stable")[:take]  # (take, minutes)
    best = np.take_along_axis(scores, order, axis=0)
    keep = best > 0
    minute_index = np.broadcast_to(np.arange(minutes), order.shape)
    return minute_index.T[keep.T].astype(np.int64), order.T[keep.T].astype(np.int64)
