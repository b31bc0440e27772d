"""A stationary block bootstrap (Politis & Romano 1994) of the mean net return per trade.

Trades are summed per day (sum, count); days, in time order, are resampled in blocks of random length
(geometric, mean `block_days`) that wrap around, so the dependence between neighbouring days survives the
resampling. Each resample's mean per trade is its total over its count; the interval is the percentiles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from domain.statistics.clustered import cluster_sums
from domain.time_units import DAY_MS

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class BootstrapInterval:
    low: float
    high: float
    block_days: float
    resamples: int


def stationary_indices(length: int, resamples: int, block: float, rng: np.random.Generator) -> Ints:
    """(resamples, length) indices into a series: blocks start anywhere, continue (wrapping) with
    probability 1 - 1/block each step."""
    starts = rng.integers(0, length, size=(resamples, length))
    fresh = rng.random((resamples, length)) < 1.0 / block
    fresh[:, 0] = True
    index = np.empty((resamples, length), dtype=np.int64)
    index[:, 0] = starts[:, 0]
    for t in range(1, length):
        index[:, t] = np.where(fresh[:, t], starts[:, t], (index[:, t - 1] + 1) % length)
    return index


def block_bootstrap_mean(values: Floats, time_ms: Ints, *, level: float = 0.95, resamples: int = 2000,
                         block_days: float | None = None, seed: int = 0) -> BootstrapInterval:
    y = np.asarray(values, dtype=np.float64)
    if len(y) < 2:
        return BootstrapInterval(math.nan, math.nan, math.nan, 0)
    order = np.argsort(time_ms, kind="stable")
    sums, counts = cluster_sums(y[order], np.asarray(time_ms)[order] // DAY_MS)
    days = len(sums)
    block = block_days if block_days is not None else max(1.0, days ** (1 / 3))
    index = stationary_indices(days, resamples, block, np.random.default_rng(seed))
    means = sums[index].sum(axis=1) / np.maximum(counts[index].sum(axis=1), 1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return BootstrapInterval(float(low), float(high), block, resamples)
