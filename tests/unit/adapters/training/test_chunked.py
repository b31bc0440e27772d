"""Scoring rows a slice at a time gives the single call's scores, bit for bit."""

from __future__ import annotations

import numpy as np
from tests.support.synthetic_model import synthetic_rows

from adapters.training.chunked import scored_in_chunks
from adapters.training.lightgbm_trainer import BoosterParams, fit_boosters


def test_chunked_scores_equal_one_call_over_all_rows() -> None:
    rows = synthetic_rows(n_per_symbol=1500)
    train, val = np.arange(0, 2000), np.arange(2000, 3000)
    boosters = fit_boosters(rows.features_at(train), rows.label[train], rows.features_at(val),
                            rows.label[val], rows.move_pct[train], rows.move_pct[val],
                            BoosterParams(n_estimators=30, min_child_samples=20))
    index = np.flatnonzero(rows.time_ms % 3 == 0)  # scattered rows, not a contiguous block
    whole = boosters.raw_probability(rows.features_at(index))
    for chunk_rows in (1, 7, 256, len(index), 10 * len(index)):
        np.testing.assert_array_equal(
            scored_in_chunks(rows, index, boosters.raw_probability, chunk_rows=chunk_rows), whole)
    np.testing.assert_array_equal(scored_in_chunks(rows, index, boosters.predicted_move, chunk_rows=5),
                                  boosters.predicted_move(rows.features_at(index)))
    assert scored_in_chunks(rows, index[:0], boosters.raw_probability).shape == (0,)
