"""Ranking figures in plain numpy (the application layer imports no ML library)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def average_ranks(values: Floats) -> Floats:
    """Ranks 1..n, ties sharing their average rank (as scipy.stats.rankdata)."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], len(values)]
    mean_rank = (starts + ends + 1) / 2.0  # ranks start..end-1 (0-based) -> 1-based average
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def auc(label: Floats, score: Floats) -> float | None:
    """ROC AUC (Mann-Whitney); NaN scores rank lowest; None when one class is absent."""
    y = np.asarray(label, dtype=np.float64)
    positives = int((y == 1).sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return None
    s = np.where(np.isnan(score), -np.inf, np.asarray(score, dtype=np.float64))
    ranks = average_ranks(s)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))
