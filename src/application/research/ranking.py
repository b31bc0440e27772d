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
    starts = _tie_group_starts(values, order)
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


def _tie_group_starts(values: Floats, order: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """Where each run of equal values starts in sorted order; the sorted copy is dropped before the
    starts are allocated (millions of rows)."""
    sorted_values = values[order]
    first = np.empty(len(values), dtype=np.bool_)
    first[:1] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=first[1:])
    del sorted_values
    return np.flatnonzero(first)


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
    return float((_positive_rank_sum(s, y == 1) - positives * (positives + 1) / 2) / (positives * negatives))


def _positive_rank_sum(values: Floats, positive: npt.NDArray[np.bool_]) -> float:
    """The sum of the positives' average_ranks, per group of tied values instead of a rank per row (a
    test period's millions of rows: no order, ranks and repeats held at once). Exactly the per-row sum:
    every rank is a multiple of 1/2, every partial sum below 2**53, so it is exact in any order."""
    n = len(values)
    order = np.argsort(values, kind="mergesort")
    starts = _tie_group_starts(values, order)
    sorted_positive = positive[order]
    del order
    in_group = np.add.reduceat(sorted_positive, starts, dtype=np.int64)
    del sorted_positive
    # twice a group's average rank: start + end + 1 (1-based ranks start+1..end, end = the next start)
    twice = np.empty_like(starts)
    np.add(starts[:-1], starts[1:], out=twice[:-1])
    twice[-1:] = starts[-1:] + n
    twice += 1
    return int(np.dot(twice, in_group)) / 2
