"""Finite-window kernels for the feature engine, exact by construction.

Every value at row t is computed from rows t-w+1..t only, with the same floating-point operations in the
same order whatever the length of the history before it. A trailing live window therefore gives the very
same bits as the whole-history batch. This is why rolling means and deviations are not taken from TA-Lib
(its SMA, STDDEV, BBANDS and CCI keep running sums whose rounding depends on where the history starts,
which breaks 1e-9 relative parity where a feature crosses zero) nor from cumulative sums.

Arrays may be 1-D (n,) or stacked 2-D (k, n): the window runs along the last axis. `start` is the first
row evaluated; it must be >= the number of past rows a window reaches back.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def lagged(x: Floats, lag: int, start: int) -> Floats:
    """x[t - lag] for t = start..n-1 (a view)."""
    n = x.shape[-1]
    return x[..., start - lag:n - lag]


def window_sum(x: Floats, w: int, start: int) -> Floats:
    """Sum of x[t-w+1..t] for t = start..n-1, added newest first."""
    if start < w - 1:
        raise ValueError(f"window of {w} rows cannot start at row {start}")
    acc = np.array(lagged(x, 0, start), dtype=np.float64, copy=True)
    for j in range(1, w):
        acc += lagged(x, j, start)
    return acc


def window_mean(x: Floats, w: int, start: int) -> Floats:
    return window_sum(x, w, start) / w


GATHER_MAX_ROWS = 64  # up to this many rows, window_stats gathers; beyond, it walks the lags


def _sequential_sum(block: Floats) -> Floats:
    """Sum along the last axis strictly left to right (add.accumulate)."""
    out: Floats = np.cumsum(block, axis=-1)[..., -1]
    return out


def _stats_by_gather(x: Floats, w: int, start: int, std_rows: list[int],
                     mad_rows: list[int]) -> tuple[Floats, Floats, Floats]:
    """Few rows (the live path): gather each window into a (w,) row: few numpy calls."""
    n = x.shape[-1]
    block = x[:, np.arange(start, n)[:, None] + np.arange(-w + 1, 1)]  # (k, rows, w), oldest first
    means = _sequential_sum(block) / w
    dev = block[std_rows] - means[std_rows, :, None]
    stds = np.sqrt(_sequential_sum(dev * dev) / w)
    dev = block[mad_rows] - means[mad_rows, :, None]
    return means, stds, _sequential_sum(np.abs(dev)) / w


def _stats_by_lags(x: Floats, w: int, start: int, std_rows: list[int],
                   mad_rows: list[int]) -> tuple[Floats, Floats, Floats]:
    """Many rows (whole histories): w vector operations over all rows, little memory."""
    acc = np.array(lagged(x, w - 1, start), dtype=np.float64, copy=True)
    for lag in range(w - 2, -1, -1):  # oldest first, like _stats_by_gather
        acc += lagged(x, lag, start)
    means = acc / w
    sq = np.zeros((len(std_rows), means.shape[-1]))
    absolute = np.zeros((len(mad_rows), means.shape[-1]))
    for lag in range(w - 1, -1, -1):
        dev = lagged(x[std_rows], lag, start) - means[std_rows]
        sq += dev * dev
        absolute += np.abs(lagged(x[mad_rows], lag, start) - means[mad_rows])
    return means, np.sqrt(sq / w), absolute / w


def window_stats(x: Floats, w: int, start: int, std_rows: tuple[int, ...],
                 mad_rows: tuple[int, ...]) -> tuple[Floats, Floats, Floats]:
    """For stacked series x (k, n) and rows t = start..n-1: the window mean of every series, the
    population standard deviation (two-pass) of the `std_rows` series and the mean absolute deviation of
    the `mad_rows` series.

    Both strategies add each window's terms one by one, oldest first, with the same IEEE operations, so
    they give the same bits: the choice is speed only (checked by the live/batch parity test).
    """
    if start < w - 1:
        raise ValueError(f"window of {w} rows cannot start at row {start}")
    strategy = _stats_by_gather if x.shape[-1] - start <= GATHER_MAX_ROWS else _stats_by_lags
    return strategy(x, w, start, list(std_rows), list(mad_rows))


def window_weighted_sum(x: Floats, weights: Floats, start: int) -> Floats:
    """sum_j weights[j] * x[t-j] for t = start..n-1 (weights[0] applies to the newest row)."""
    acc: Floats = lagged(x, 0, start) * weights[0]
    for j in range(1, len(weights)):
        acc += lagged(x, j, start) * weights[j]
    return acc


@functools.cache
def regression_slope_weights(w: int) -> Floats:
    """Weights on the w-1 increments of a series whose least-squares slope over w points is wanted.

    With points y_0..y_{w-1} (oldest first) and y_i = y_0 + sum_{k<=i} d_k, the slope is
    sum_k d_k * sum_{i>=k} (i - mean_i) / sum_i (i - mean_i)^2: the starting level drops out, so the slope
    of a cumulative series (OBV) is exact without its infinite-memory level. weights[j] applies to the
    increment j rows back from the newest point.
    """
    i = np.arange(w, dtype=np.float64)
    centred = i - i.mean()
    sxx = float(np.sum(centred * centred))
    tail = np.cumsum(centred[::-1])[::-1]  # tail[k] = sum_{i>=k} centred[i]
    by_increment = tail[1:] / sxx  # increment k = 1..w-1, oldest first
    out: Floats = by_increment[::-1].copy()  # newest increment first
    return out


def safe_ratio(num: Floats, den: Floats) -> Floats:
    """num / den, NaN where den is 0 (never inf). Call under np.errstate(divide/invalid="ignore")."""
    out: Floats = num / den
    out[den == 0] = np.nan
    return out


def consecutive_true(flags: npt.NDArray[np.bool_], cap: int) -> Floats:
    """Length of the run of True ending at each row, capped at `cap` (integer arithmetic: exact)."""
    as_int = flags.astype(np.int64)
    running = np.cumsum(as_int)
    at_false = np.where(as_int == 0, running, 0)
    run = running - np.maximum.accumulate(at_false)
    out: Floats = np.minimum(run, cap).astype(np.float64)
    return out
