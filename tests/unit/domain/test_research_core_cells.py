"""cell_starts: where each minute's cells begin in the sorted cells (the core's per-minute index)."""

from __future__ import annotations

import numpy as np

from domain.research_core import cell_starts


def test_each_minute_starts_at_its_first_cell_and_the_last_entry_counts_them_all() -> None:
    minute = np.array([0, 0, 3, 3, 3, 4], dtype=np.int64)
    assert cell_starts(minute, 6).tolist() == [0, 2, 2, 2, 5, 6, 6]


def test_it_equals_a_search_per_minute_with_cells_past_the_grid_and_none() -> None:
    rng = np.random.default_rng(3)
    for minutes, minute in ((50, np.sort(rng.integers(0, 50, 400))), (10, np.array([1, 9, 12, 15])),
                            (4, np.zeros(0, dtype=np.int64))):
        searched = np.searchsorted(minute, np.arange(minutes + 1), side="left")
        assert cell_starts(minute.astype(np.int64), minutes).tolist() == searched.tolist()
