"""Ranking figures in plain numpy (the application layer imports no ML library)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def average_ranks(values: Floats) -> Floats:
    """Ranks 1..n, ties sharing their average rank (as scipy.stats.rankdata). Millions of values when a
    test period's every bar is ranked: temporaries are dropped as soon as read."""
    n = len(values)
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    first = np.empty(n, dtype=np.bool_)
    first[:1] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=first[1:])
    del sorted_values
    starts = np.flatnonzero(first)
    del first
    counts = np.empty_like(starts)
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1:] = n - starts[-1:]
    # ranks start..end-1 (0-based) -> 1-based average: (start + end + 1) / 2, end = start + count
    np.multiply(starts, 2, out=starts)
    starts += counts
    starts += 1
    mean_rank = starts / 2.0
    del starts
    ranks = np.empty(n)
    ranks[order] = np.repeat(mean_rank, counts)
    return ranks


def auc(label: Floats, score: Floats) -> float | None:
    """ROC AUC (Mann-Whitney); NaN scores rank lowest; None when one class is absent."""
    y = np.asarray(label, dtype=np.float64)
    positives = int((y == 1).sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return None
    s = np.asarray(score, dtype=np.float64)
    if np.isnan(s).any():
        s = np.where(np.isnan(s), -np.inf, s)
    ranks = average_ranks(s)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))
