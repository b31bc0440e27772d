"""The mean of overlapping trades, honestly: standard errors clustered by day or week.

Trades entered minutes apart share the same market moves, so counting them as independent overstates
certainty (naive t-statistics of 5-14 fell to 1-3 once trades were clustered by week). Here:
- the cluster-robust (CR1) standard error of the mean, as an intercept-only OLS with clustered covariance
  (the same figure as statsmodels' `cov_type="cluster"`);
- a t(G-1) reference for the interval and the p-value, G the number of clusters (few clusters: wide);
- a sign-flip randomisation test over the cluster sums (exact when G is small, seeded draws otherwise):
  under "no edge" each cluster's total is as likely negative as positive.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as scipy_stats

from domain.time_units import DAY_MS

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
WEEK_MS = 7 * DAY_MS
EXACT_FLIP_CLUSTERS = 14  # 2^14 sign patterns enumerated; above that, random draws
FLIP_DRAWS = 20_000


@dataclass(frozen=True)
class ClusteredMean:
    count: int
    clusters: int
    mean: float
    se: float  # CR1 cluster-robust standard error of the mean (NaN with fewer than two clusters)
    ci_low: float
    ci_high: float
    p_value: float  # two-sided, t(G-1) reference
    level: float = 0.95

    @property
    def df(self) -> int:
        return max(self.clusters - 1, 0)

    @property
    def t_stat(self) -> float:
        return self.mean / self.se if self.se > 0 else math.nan


def cluster_ids(time_ms: Ints, span_ms: int) -> Ints:
    """The cluster of each trade: its UTC day (span DAY_MS) or week (WEEK_MS; weeks start on Thursdays,
    the epoch's weekday, which is as good as any fixed start)."""
    ids: Ints = np.asarray(time_ms, dtype=np.int64) // span_ms
    return ids


def cluster_sums(values: Floats, clusters: Ints) -> tuple[Floats, Ints]:
    """Per distinct cluster: the sum of values and the count, in cluster order."""
    _, index = np.unique(clusters, return_inverse=True)
    return (np.bincount(index, weights=values).astype(np.float64),
            np.bincount(index).astype(np.int64))


def t_quantile(q: float, df: int) -> float:
    return float(scipy_stats.t.ppf(q, df)) if df > 0 else math.nan


def clustered_mean(values: Floats, clusters: Ints, level: float = 0.95) -> ClusteredMean:
    y = np.asarray(values, dtype=np.float64)
    n = len(y)
    if n == 0:
        return ClusteredMean(0, 0, math.nan, math.nan, math.nan, math.nan, math.nan, level)
    mean = float(y.mean())
    sums, _ = cluster_sums(y - mean, np.asarray(clusters))
    g = len(sums)
    if g < 2:
        return ClusteredMean(n, g, mean, math.nan, math.nan, math.nan, math.nan, level)
    se = math.sqrt(g / (g - 1) * float(np.sum(sums**2))) / n  # CR1; (N-1)/(N-K) = 1 with K = 1
    half = t_quantile(0.5 + level / 2, g - 1) * se
    no_spread = 0.0 if mean != 0 else 1.0  # identical clusters: a certain sign, or nothing
    p = float(2 * scipy_stats.t.sf(abs(mean / se), g - 1)) if se > 0 else no_spread
    return ClusteredMean(n, g, mean, se, mean - half, mean + half, p, level)


def sign_flip_p(values: Floats, clusters: Ints, *, seed: int = 0, draws: int = FLIP_DRAWS) -> float:
    """Two-sided p-value of "the mean is zero" by flipping the sign of whole clusters' sums."""
    y = np.asarray(values, dtype=np.float64)
    if not len(y):
        return math.nan
    sums, _ = cluster_sums(y, np.asarray(clusters))
    observed = abs(float(sums.sum()))
    g = len(sums)
    if g <= EXACT_FLIP_CLUSTERS:
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=g)))
        totals = np.abs(signs @ sums)
        return float(np.mean(totals >= observed - 1e-12 * max(observed, 1.0)))
    rng = np.random.default_rng(seed)
    signs = rng.choice((1.0, -1.0), size=(draws, g))
    totals = np.abs(signs @ sums)
    return float((1 + np.sum(totals >= observed - 1e-12 * max(observed, 1.0))) / (1 + draws))


def minimum_detectable_effect(se: float, df: int, *, power: float = 0.8, alpha: float = 0.05) -> float:
    """The smallest true mean a two-sided test at `alpha` would find with probability `power`, given
    this standard error: (t_{1-alpha/2} + t_{power}) x SE, t on the clusters' degrees of freedom."""
    if not (se > 0) or df < 1:
        return math.nan
    return (t_quantile(1 - alpha / 2, df) + t_quantile(power, df)) * se
