"""How much of a search's best result is luck: the deflated Sharpe ratio and the probability of
backtest overfitting.

- Deflated Sharpe ratio (Bailey & López de Prado 2014): the probability that the true Sharpe ratio
  exceeds the highest one expected from `trials` tries of no skill, given the variance of the trials'
  Sharpe ratios and the returns' skewness and kurtosis (the probabilistic Sharpe ratio against that bar).
  Every Sharpe ratio here is per observation (per day), not annualised.
- PBO by combinatorially symmetric cross-validation (Bailey, Borwein, López de Prado & Zhu 2015): the
  T x N matrix of the trials' returns is cut into S even blocks of rows; for every half of the blocks
  taken as in-sample, the best trial in-sample is ranked among all trials on the other half. PBO is the
  share of splits where it ranks at or below the median out of sample.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
EULER_GAMMA = 0.5772156649015329
_NORMAL = NormalDist()


@dataclass(frozen=True)
class SharpeMoments:
    sharpe: float  # mean / standard deviation (ddof 1), per observation
    observations: int
    skewness: float
    kurtosis: float  # Pearson's (3 for a normal distribution)


def sharpe_moments(returns: Floats) -> SharpeMoments:
    r = np.asarray(returns, dtype=np.float64)
    n = len(r)
    sd = float(r.std(ddof=1)) if n > 1 else math.nan
    if not (sd > 0):
        return SharpeMoments(math.nan, n, math.nan, math.nan)
    z = (r - r.mean()) / r.std(ddof=0)
    return SharpeMoments(float(r.mean()) / sd, n, float(np.mean(z**3)), float(np.mean(z**4)))


def expected_max_sharpe(trials: int, sharpe_variance: float) -> float:
    """The highest Sharpe ratio expected among `trials` independent tries with no skill."""
    if trials <= 1 or not (sharpe_variance > 0):
        return 0.0
    spread = (1 - EULER_GAMMA) * _NORMAL.inv_cdf(1 - 1 / trials) + \
        EULER_GAMMA * _NORMAL.inv_cdf(1 - 1 / (trials * math.e))
    return math.sqrt(sharpe_variance) * spread


def probabilistic_sharpe(moments: SharpeMoments, benchmark: float) -> float:
    """P(true Sharpe > benchmark) given the estimate's sampling error (non-normal returns included)."""
    sr, n = moments.sharpe, moments.observations
    if math.isnan(sr) or n < 2:
        return math.nan
    spread = 1 - moments.skewness * sr + (moments.kurtosis - 1) / 4 * sr**2
    if not spread > 0:
        return math.nan
    return _NORMAL.cdf((sr - benchmark) * math.sqrt(n - 1) / math.sqrt(spread))


def deflated_sharpe(moments: SharpeMoments, trials: int, sharpe_variance: float) -> float:
    return probabilistic_sharpe(moments, expected_max_sharpe(trials, sharpe_variance))


@dataclass(frozen=True)
class OverfitProbability:
    pbo: float  # NaN when it cannot be computed (fewer than 2 trials or rows than blocks)
    splits: int
    logits: tuple[float, ...]  # one per split: logit of the in-sample winner's out-of-sample rank


def _performance(count: Floats, total: Floats, squares: Floats, metric: str) -> Floats:
    """Per split (rows) and trial (columns), from the summed block aggregates: mean or Sharpe ratio."""
    mean = total / count
    if metric == "mean":
        return mean
    variance = np.maximum(squares - count * mean**2, 0.0) / np.maximum(count - 1, 1)
    sd = np.sqrt(variance)
    with np.errstate(divide="ignore", invalid="ignore"):
        sharpe = np.where(sd > 0, mean / np.where(sd > 0, sd, 1.0), np.sign(mean) * np.inf)
    return np.asarray(sharpe, dtype=np.float64)


def backtest_overfitting(returns: Floats, blocks: int = 16, metric: str = "sharpe",
                         chunk: int = 512) -> OverfitProbability:
    """PBO over a (T observations x N trials) matrix, S = `blocks` even row blocks (first T mod S rows
    dropped), performance = Sharpe ratio (or mean). Splits are evaluated `chunk` at a time from per-block
    sums, so thousands of trials over C(16, 8) = 12,870 splits stay cheap."""
    m = np.asarray(returns, dtype=np.float64)
    if blocks < 2 or blocks % 2:
        raise ValueError(f"CSCV needs an even number of blocks >= 2, got {blocks}")
    rows, trials = m.shape
    if trials < 2 or rows < blocks:
        return OverfitProbability(math.nan, 0, ())
    parts = np.split(m[rows % blocks:], blocks)
    count = np.array([[len(p)] for p in parts], dtype=np.float64)  # (S, 1)
    total = np.stack([p.sum(axis=0) for p in parts])  # (S, N)
    squares = np.stack([(p**2).sum(axis=0) for p in parts])
    splits = np.array(list(itertools.combinations(range(blocks), blocks // 2)))
    logits: list[float] = []
    for start in range(0, len(splits), chunk):
        inside = np.zeros((len(splits[start:start + chunk]), blocks))
        np.put_along_axis(inside, splits[start:start + chunk], 1.0, axis=1)
        outside = 1.0 - inside
        best = np.argmax(_performance(inside @ count, inside @ total, inside @ squares, metric), axis=1)
        out = _performance(outside @ count, outside @ total, outside @ squares, metric)
        chosen = out[np.arange(len(best)), best][:, None]
        rank = 1 + np.sum(out < chosen, axis=1) + 0.5 * (np.sum(out == chosen, axis=1) - 1)
        omega = rank / (trials + 1)
        logits.extend(np.log(omega / (1 - omega)).tolist())
    return OverfitProbability(float(np.mean(np.array(logits) <= 0)), len(logits), tuple(logits))
