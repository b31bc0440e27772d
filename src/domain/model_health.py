"""Does the model still earn what it promised? (issue 16 item 8, spec 5.6)

Two pure checks, one verdict:
- shortfall: over the last `window` completed trades, realised net return (percent) minus the expected net
  return the model gave at entry. Degraded once at least `min_trades` are known, the mean shortfall is
  below -`max_shortfall_pct` AND its one-sided t-statistic is below -`t_bound` (a few unlucky trades are
  not enough: the loss must be both large and consistent).
- feature drift: the population stability index of a few key features, the recent scored rows against a
  reference sample (bins at the reference's quantiles). Degraded when any PSI exceeds `psi_bound`.
Trades whose expected return is unknown (NaN) are not counted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
_PSI_FLOOR = 1e-4  # an empty bin counts as this share: a PSI stays finite


@dataclass(frozen=True, slots=True)
class HealthBounds:
    min_trades: int = 20
    window: int = 50
    max_shortfall_pct: float = 0.1  # percent per trade (0.1 = realised 0.1% below what was expected)
    t_bound: float = 2.0
    psi_bound: float = 0.25
    drift_rows: int = 500  # the reference sample and the recent sample, rows each
    drift_sample_ms: int = 60_000  # one scored batch kept this often: rows of one minute are near copies
    drift_features: tuple[str, ...] = ("rsi_14", "atr_pct_14", "volume_rel_20", "return_std_20")
    psi_bins: int = 10


@dataclass(frozen=True, slots=True)
class Shortfall:
    trades: int
    mean_expected_pct: float
    mean_realised_pct: float
    t: float  # one-sided t-statistic of the mean shortfall; NaN below two trades

    @property
    def shortfall_pct(self) -> float:
        return self.mean_realised_pct - self.mean_expected_pct


@dataclass(frozen=True, slots=True)
class ModelVerdict:
    degraded: bool
    shortfall: Shortfall
    psi: Mapping[str, float] = field(default_factory=dict)
    reason: str | None = None  # why it is degraded, with the numbers; None while healthy


def shortfall_of(expected_pct: Sequence[float], realised_pct: Sequence[float], window: int) -> Shortfall:
    """The last `window` trades with a known expected return: means and the t of realised - expected."""
    pairs = [(e, r) for e, r in zip(expected_pct, realised_pct, strict=True)
             if math.isfinite(e) and math.isfinite(r)][-window:]
    if not pairs:
        return Shortfall(0, math.nan, math.nan, math.nan)
    expected = np.array([e for e, _ in pairs])
    realised = np.array([r for _, r in pairs])
    diff = realised - expected
    mean = float(diff.mean())
    if len(diff) < 2:
        t = math.nan
    else:
        spread = float(diff.std(ddof=1))
        if spread > 1e-9 * max(1.0, abs(mean)):  # below: rounding noise of equal shortfalls
            t = mean / (spread / math.sqrt(len(diff)))
        else:  # every trade fell short by the same amount: certain, whatever its size
            t = math.copysign(math.inf, mean) if mean else 0.0
    return Shortfall(len(pairs), float(expected.mean()), float(realised.mean()), t)


def psi(reference: Floats, recent: Floats, bins: int = 10) -> float:
    """Population stability index of `recent` against `reference` (NaNs dropped; NaN when either is
    empty). Bins are the reference's quantiles, so each holds ~1/bins of it; 0 = the same distribution."""
    ref = reference[np.isfinite(reference)]
    now = recent[np.isfinite(recent)]
    if not len(ref) or not len(now):
        return math.nan
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1]))
    expected = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1) / len(ref)
    actual = np.bincount(np.searchsorted(edges, now, side="right"), minlength=len(edges) + 1) / len(now)
    expected, actual = np.maximum(expected, _PSI_FLOOR), np.maximum(actual, _PSI_FLOOR)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def judge(shortfall: Shortfall, drift: Mapping[str, float], bounds: HealthBounds) -> ModelVerdict:
    """Degraded when the trades fall short of the promise beyond the bounds, or a key feature drifted."""
    reasons: list[str] = []
    if (shortfall.trades >= bounds.min_trades and shortfall.shortfall_pct < -bounds.max_shortfall_pct
            and shortfall.t < -bounds.t_bound):
        reasons.append(f"{shortfall.trades} trades realised {shortfall.mean_realised_pct:+.2f}%/trade vs "
                       f"expected {shortfall.mean_expected_pct:+.2f}% (t={shortfall.t:.1f})")
    drifted = {name: value for name, value in drift.items() if value > bounds.psi_bound}
    if drifted:
        reasons.append("feature drift " + ", ".join(f"{name} PSI={value:.2f}"
                                                    for name, value in drifted.items())
                       + f" > {bounds.psi_bound:g}")
    return ModelVerdict(bool(reasons), shortfall, dict(drift), "; ".join(reasons) or None)
