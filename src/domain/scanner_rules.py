"""The scanner's rules (spec 4.2) and its alerts. Percent units throughout.

Every rule is written once over numpy arrays: the scanner applies it to all updated rows at once and
`PairState` applies the same function to one pair, so the two can never disagree.

Choices the spec leaves open (documented here, tested in test_pair_state.py):
- Unknown inputs are NaN. An unknown 1m/5m-ago price gives a 0 change (as the spec's zero guard); an
  unknown 24 h high/low gives a NaN distance (never "at the high"); an unknown book (the miniTicker
  has no bid/ask) gives a NaN spread, which does not block scanning but earns no spread score.
- REVERSAL (named but not defined by the spec): a fall of at least `reversal_drop_pct` over 5 min,
  then a positive 1 min change on above-average volume (last minute > the 24 h average minute).
- Quick score: the spec's "+0.2 placeholder" for volume becomes 0.2 x how far the last minute's volume
  sits between the 24 h average minute (0) and a volume spike (`volume_spike_ratio`, full 0.2).
- Alert scores are 0.5 at the alert's threshold, rising linearly to 1 at twice the threshold (BREAKOUT:
  0.5 at `breakout_distance_pct` below the 24 h high, 1 at or above it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
ArrayLike = FloatArray | float
MINUTES_PER_DAY = 1440


class AlertType(StrEnum):
    VOLUME_SPIKE = "VOLUME_SPIKE"
    MOMENTUM = "MOMENTUM"
    BREAKOUT = "BREAKOUT"
    REVERSAL = "REVERSAL"


ALERT_TYPES = tuple(AlertType)


@dataclass(frozen=True, slots=True)
class ScannerRules:
    min_volume_24h: float = 1_000_000.0  # quote asset (USDT), the miniTicker's `q`
    max_spread_pct: float = 0.15
    volume_spike_ratio: float = 3.0  # last minute vs the 24 h average minute
    momentum_threshold_pct: float = 0.15
    breakout_distance_pct: float = 0.5  # below the 24 h high
    reversal_drop_pct: float = 1.0  # fall over 5 min
    alert_cooldown_ms: int = 60_000  # one alert per (symbol, type) per cooldown

    def __post_init__(self) -> None:
        if self.min_volume_24h < 0 or self.max_spread_pct <= 0 or self.breakout_distance_pct < 0:
            raise ValueError(f"scanner rules out of range: {self}")
        if self.volume_spike_ratio <= 1 or self.momentum_threshold_pct <= 0 or self.reversal_drop_pct <= 0:
            raise ValueError(f"scanner alert thresholds out of range: {self}")
        if self.alert_cooldown_ms < 0:
            raise ValueError(f"alert_cooldown_ms must be >= 0, got {self.alert_cooldown_ms}")


@dataclass(frozen=True, slots=True)
class ScannerAlert:
    symbol: str
    alert_type: AlertType
    score: float  # 0..1
    details: Mapping[str, float]
    time_ms: int


# -- rules over arrays (or scalars) ---------------------------------------------------------------------
# each alert type's own measure, in ALERT_TYPES order
METRIC_NAMES = ("volume_ratio", "change_1m_pct", "distance_from_high_pct", "change_5m_pct")
_FILL = np.array([0.0, 0.0, np.nan, 0.0])  # an unknown volume or past price reads 0; an unknown high, NaN
_SCALE = np.array([float(MINUTES_PER_DAY), 100.0, 100.0, 100.0])


def _f(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def alert_metrics(price: ArrayLike, price_1m: ArrayLike, price_5m: ArrayLike, high_24h: ArrayLike,
                  volume_1m: ArrayLike, volume_24h: ArrayLike) -> FloatArray:
    """The alert inputs, one row each in ALERT_TYPES order (`METRIC_NAMES`), shape (4, *inputs' shape);
    the inputs share one shape (scalars for one pair).

    - volume ratio: the last minute's quote volume over the 24 h average minute; 0 when either is unknown.
    - 1 min and 5 min change %: (now - before) / before; 0 when `before` is unknown or not positive (the
      spec's guard).
    - distance below the 24 h high %: NaN when the high is unknown (never "at the high").
    One division for the four: a frame costs a handful of numpy calls whatever its size."""
    p, p1, p5, high = _f(price), _f(price_1m), _f(price_5m), _f(high_24h)
    den = np.array((volume_24h, p1, high, p5), dtype=np.float64)
    num = np.array((volume_1m, p - p1, high - p, p - p5), dtype=np.float64)
    out = np.empty(den.shape)
    out.T[...] = _FILL
    np.divide(num, den, out=out, where=den > 0)
    scaled = out.T
    scaled *= _SCALE
    np.fmax(out[:1], 0.0, out=out[:1])  # never negative: an unknown (NaN) minute volume reads 0
    return out


class _RuleColumns(NamedTuple):
    sign: FloatArray
    floor: FloatArray  # metric x sign >= floor: each type's main threshold
    score_scale: FloatArray
    score_offset: FloatArray


_COLUMNS: dict[tuple[int, int], tuple[ScannerRules, _RuleColumns]] = {}


def _columns(rules: ScannerRules, ndim: int) -> _RuleColumns:
    """The rules as columns, made once per rules object (held, so its id is not reused) and ndim."""
    held = _COLUMNS.get((id(rules), ndim))
    if held is not None and held[0] is rules:
        return held[1]
    columns = _make_columns(rules, ndim)
    if len(_COLUMNS) > 64:
        _COLUMNS.clear()
    _COLUMNS[(id(rules), ndim)] = (rules, columns)
    return columns


def _make_columns(rules: ScannerRules, ndim: int) -> _RuleColumns:
    shape = (len(ALERT_TYPES),) + (1,) * (ndim - 1)
    up = math.inf
    bd = rules.breakout_distance_pct

    def col(*values: float) -> FloatArray:
        return np.array(values).reshape(shape)
    # x > t is x >= nextafter(t, inf): one comparison for all four, strict where the rule is strict
    return _RuleColumns(
        sign=col(1.0, 1.0, -1.0, -1.0),
        floor=col(math.nextafter(rules.volume_spike_ratio, up),
                  math.nextafter(rules.momentum_threshold_pct, up), math.nextafter(-bd, up),
                  rules.reversal_drop_pct),
        score_scale=col(0.5 / rules.volume_spike_ratio, 0.5 / rules.momentum_threshold_pct,
                        -0.5 / bd if bd else 0.0, -0.5 / rules.reversal_drop_pct),
        score_offset=col(0.0, 0.0, 1.0, 0.0))


def alert_screen(rules: ScannerRules, metrics: FloatArray) -> npt.NDArray[np.bool_]:
    """Each alert type's main threshold (a necessary condition; `alert_masks` adds the rest): volume
    ratio > spike, 1 min change > momentum threshold, distance below the high < breakout distance, 5 min
    change <= -reversal drop."""
    c = _columns(rules, metrics.ndim)
    screen: npt.NDArray[np.bool_] = metrics * c.sign >= c.floor
    return screen


def alert_masks(rules: ScannerRules, metrics: FloatArray) -> npt.NDArray[np.bool_]:
    """Where each alert type fires: one row per type, in ALERT_TYPES order."""
    due = alert_screen(rules, metrics)
    ratio, change_1m, _, change_5m = metrics
    due[1] &= change_1m > change_5m / 5 * 1.5  # MOMENTUM: strong and accelerating
    due[3] &= (change_1m > 0) & (ratio > 1)  # REVERSAL: the bounce, on above-average volume
    return due


def alert_scores(rules: ScannerRules, metrics: FloatArray) -> FloatArray:
    """Each alert type's score (meaningful where it fires): 0.5 at the threshold, 1 at twice it."""
    c = _columns(rules, metrics.ndim)
    raw = metrics * c.score_scale
    raw += c.score_offset
    return np.minimum(np.maximum(raw, 0.5), 1.0)


def alert_signals(rules: ScannerRules, metrics: FloatArray) -> list[tuple[AlertType, npt.NDArray[np.bool_],
                                                                          FloatArray]]:
    """For each alert type: where it fires and its score (the two functions above, per type)."""
    masks, scores = alert_masks(rules, metrics), alert_scores(rules, metrics)
    return [(alert_type, masks[k], scores[k]) for k, alert_type in enumerate(ALERT_TYPES)]


def _ratio_pct(num: FloatArray, den: FloatArray, ok: npt.NDArray[np.bool_], fill: float) -> FloatArray:
    """num / den in percent where `ok`, else `fill`."""
    out = np.full(num.shape, fill)  # callers pass num already broadcast (a difference of the inputs)
    np.divide(num, den, out=out, where=ok)
    out *= 100
    return out


def spread_pct(bid: ArrayLike, ask: ArrayLike) -> FloatArray:
    bid_, ask_ = _f(bid), _f(ask)
    return _ratio_pct(ask_ - bid_, bid_, (bid_ > 0) & (ask_ > 0), np.nan)


def distance_from_low_pct(price: ArrayLike, low: ArrayLike) -> FloatArray:
    price_, low_ = _f(price), _f(low)
    return _ratio_pct(price_ - low_, low_, low_ > 0, np.nan)


def eligible(price: ArrayLike, volume_24h: ArrayLike, spread: ArrayLike, rules: ScannerRules) -> npt.NDArray[
        np.bool_]:
    """Liquid enough and not too wide. An unknown (NaN) spread does not block."""
    return (_f(price) > 0) & (_f(volume_24h) >= rules.min_volume_24h) & ~(_f(spread) > rules.max_spread_pct)


def quick_score(metrics: FloatArray, spread: ArrayLike, volume_spike_ratio: float) -> FloatArray:
    """Spec 4.2 ranking score, 0..1: momentum (0.3) + near the 24 h high (0.3) + tight spread (0.2) +
    volume above average (0.2). For ranking, not for deciding."""
    ratio, c1, dist, _ = metrics
    spread_ = _f(spread)
    momentum = np.where(c1 > 0.1, np.minimum(c1 / 0.5, 0.3), 0.0)
    breakout = np.where(dist < 2, (2 - np.clip(dist, 0, 2)) / 2 * 0.3, 0.0)
    tight = np.where(spread_ < 0.05, 0.2, np.where(spread_ < 0.1, 0.1, 0.0))
    volume = 0.2 * np.clip((ratio - 1) / (volume_spike_ratio - 1), 0.0, 1.0)
    score: FloatArray = np.minimum(momentum + breakout + tight + volume, 1.0)
    return score
