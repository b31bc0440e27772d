"""The AUC summed per group of ties equals the per-row average-rank sum exactly (ties, NaN, millions)."""

from __future__ import annotations

import numpy as np
import pytest

from application.research.ranking import auc, average_ranks


def _per_row_auc(label: np.ndarray, score: np.ndarray) -> float:
    y = label.astype(np.float64)
    positives = int((y == 1).sum())
    negatives = len(y) - positives
    s = np.where(np.isnan(score), -np.inf, score)
    ranks = average_ranks(s)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


@pytest.mark.parametrize(("n", "levels"), [(7, 3), (1000, 5), (200_000, 50), (200_000, 0)])
def test_the_grouped_auc_is_the_per_row_one_bit_for_bit(n: int, levels: int) -> None:
    rng = np.random.default_rng(n + levels)
    score = rng.integers(0, levels, n).astype(np.float64) if levels else rng.normal(size=n)
    score[rng.random(n) < 0.01] = np.nan
    label = (rng.random(n) < 0.3 + 0.2 * np.nan_to_num(score, nan=0) / max(levels, 1)).astype(np.float64)
    assert auc(label, score) == _per_row_auc(label, score)


def test_known_values() -> None:
    assert auc(np.array([0.0, 0.0, 1.0, 1.0]), np.array([0.1, 0.4, 0.35, 0.8])) == 0.75
    assert auc(np.array([0.0, 1.0]), np.array([0.5, 0.5])) == 0.5
    assert auc(np.array([1.0, 1.0]), np.array([0.1, 0.2])) is None
