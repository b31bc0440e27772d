"""A pair's live state, the scanner's alerts and its rules (spec 4.2). Percent units throughout.

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
def _f(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _ratio_pct(num: FloatArray, den: FloatArray, ok: npt.NDArray[np.bool_], fill: float) -> FloatArray:
    """num / den in percent where `ok`, else `fill`."""
    out = np.full(num.shape, fill)  # callers pass num already broadcast (a difference of the inputs)
    np.divide(num, den, out=out, where=ok)
    out *= 100
    return out


def pct_change(now: ArrayLike, before: ArrayLike) -> FloatArray:
    """(now - before) / before in percent; 0 when `before` is unknown or not positive (spec guard)."""
    now_, before_ = _f(now), _f(before)
    return _ratio_pct(now_ - before_, before_, before_ > 0, 0.0)


def spread_pct(bid: ArrayLike, ask: ArrayLike) -> FloatArray:
    bid_, ask_ = _f(bid), _f(ask)
    return _ratio_pct(ask_ - bid_, bid_, (bid_ > 0) & (ask_ > 0), np.nan)


def distance_from_high_pct(price: ArrayLike, high: ArrayLike) -> FloatArray:
    price_, high_ = _f(price), _f(high)
    return _ratio_pct(high_ - price_, high_, high_ > 0, np.nan)


def distance_from_low_pct(price: ArrayLike, low: ArrayLike) -> FloatArray:
    price_, low_ = _f(price), _f(low)
    return _ratio_pct(price_ - low_, low_, low_ > 0, np.nan)


def volume_ratio(volume_1m: ArrayLike, volume_24h: ArrayLike) -> FloatArray:
    """Last minute's quote volume over the 24 h average minute; 0 when either is unknown."""
    v1, v24 = _f(volume_1m), _f(volume_24h)
    ok = (v24 > 0) & (v1 >= 0)
    out = np.zeros(np.broadcast(v1, v24).shape)
    np.divide(v1 * MINUTES_PER_DAY, v24, out=out, where=ok)
    return out


def eligible(price: ArrayLike, volume_24h: ArrayLike, spread: ArrayLike, rules: ScannerRules) -> npt.NDArray[
        np.bool_]:
    """Liquid enough and not too wide. An unknown (NaN) spread does not block."""
    return (_f(price) > 0) & (_f(volume_24h) >= rules.min_volume_24h) & ~(_f(spread) > rules.max_spread_pct)


def alert_masks(rules: ScannerRules, change_1m: ArrayLike, change_5m: ArrayLike, distance_high: ArrayLike,
                vol_ratio: ArrayLike) -> npt.NDArray[np.bool_]:
    """Where each alert type fires: one column per type, in ALERT_TYPES order."""
    c1, c5, dist, ratio = _f(change_1m), _f(change_5m), _f(distance_high), _f(vol_ratio)
    return np.stack([
        ratio > rules.volume_spike_ratio,
        (c1 > rules.momentum_threshold_pct) & (c1 > c5 / 5 * 1.5),  # strong and accelerating
        dist < rules.breakout_distance_pct,
        (c5 <= -rules.reversal_drop_pct) & (c1 > 0) & (ratio > 1),
    ], axis=-1)


def alert_scores(rules: ScannerRules, change_1m: ArrayLike, change_5m: ArrayLike, distance_high: ArrayLike,
                 vol_ratio: ArrayLike) -> FloatArray:
    """Each alert type's score (meaningful where it fires): 0.5 at the threshold, 1 at twice it."""
    c1, c5, dist, ratio = _f(change_1m), _f(change_5m), _f(distance_high), _f(vol_ratio)
    closeness = (1 - np.clip(dist, 0, None) / rules.breakout_distance_pct if rules.breakout_distance_pct
                 else np.ones(dist.shape))
    raw = np.stack([ratio / rules.volume_spike_ratio / 2, c1 / rules.momentum_threshold_pct / 2,
                    0.5 + 0.5 * closeness, -c5 / rules.reversal_drop_pct / 2], axis=-1)
    return np.clip(raw, 0.5, 1.0)


def alert_signals(rules: ScannerRules, change_1m: ArrayLike, change_5m: ArrayLike, distance_high: ArrayLike,
                  vol_ratio: ArrayLike) -> list[tuple[AlertType, npt.NDArray[np.bool_], FloatArray]]:
    """For each alert type: where it fires and its score (the two functions above, per type)."""
    masks = alert_masks(rules, change_1m, change_5m, distance_high, vol_ratio)
    scores = alert_scores(rules, change_1m, change_5m, distance_high, vol_ratio)
    return [(alert_type, masks[..., k], scores[..., k]) for k, alert_type in enumerate(ALERT_TYPES)]


def quick_score(change_1m: ArrayLike, distance_high: ArrayLike, spread: ArrayLike, vol_ratio: ArrayLike,
                volume_spike_ratio: float) -> FloatArray:
    """Spec 4.2 ranking score, 0..1: momentum (0.3) + near the 24 h high (0.3) + tight spread (0.2) +
    volume above average (0.2). For ranking, not for deciding."""
    c1, dist, spread_, ratio = _f(change_1m), _f(distance_high), _f(spread), _f(vol_ratio)
    momentum = np.where(c1 > 0.1, np.minimum(c1 / 0.5, 0.3), 0.0)
    breakout = np.where(dist < 2, (2 - np.clip(dist, 0, 2)) / 2 * 0.3, 0.0)
    tight = np.where(spread_ < 0.05, 0.2, np.where(spread_ < 0.1, 0.1, 0.0))
    volume = 0.2 * np.clip((ratio - 1) / (volume_spike_ratio - 1), 0.0, 1.0)
    return np.minimum(momentum + breakout + tight + volume, 1.0)


# -- one pair ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PairState:
    """Snapshot of one pair. Volumes in quote asset; NaN where not known yet (no book, short history)."""

    symbol: str
    price: float
    price_1m_ago: float
    price_5m_ago: float
    volume_24h: float
    volume_1m: float
    high_24h: float
    low_24h: float
    bid_price: float
    ask_price: float
    last_update_ms: int

    @property
    def spread_pct(self) -> float:
        return float(spread_pct(self.bid_price, self.ask_price))

    @property
    def change_1m_pct(self) -> float:
        return float(pct_change(self.price, self.price_1m_ago))

    @property
    def change_5m_pct(self) -> float:
        return float(pct_change(self.price, self.price_5m_ago))

    @property
    def distance_from_high_pct(self) -> float:
        return float(distance_from_high_pct(self.price, self.high_24h))

    @property
    def distance_from_low_pct(self) -> float:
        return float(distance_from_low_pct(self.price, self.low_24h))

    @property
    def volume_ratio(self) -> float:
        return float(volume_ratio(self.volume_1m, self.volume_24h))

    def quick_score(self, rules: ScannerRules) -> float:
        """0 when the pair fails the volume/spread filter, else the spec 4.2 score."""
        if not bool(eligible(self.price, self.volume_24h, self.spread_pct, rules)):
            return 0.0
        score = float(quick_score(self.change_1m_pct, self.distance_from_high_pct, self.spread_pct,
                                  self.volume_ratio, rules.volume_spike_ratio))
        return score if math.isfinite(score) else 0.0
