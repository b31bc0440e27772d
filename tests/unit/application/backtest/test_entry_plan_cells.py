"""EntryPlan.cells_at reads precomputed bounds: the same cells as searching the minutes each time."""

import bisect

import numpy as np

from application.backtest.precompute import EntryPlan


def plan_of(minutes: list[int], passes: list[bool] | None = None) -> EntryPlan:
    n = len(minutes)
    nan = np.full(n, np.nan)
    return EntryPlan("t", np.array(minutes, dtype=np.int64), np.zeros(n, dtype=np.int64), nan, nan, nan, nan,
                     np.ones(n, dtype=np.bool_) if passes is None else np.array(passes, dtype=np.bool_))


def searched(minutes: list[int], t: int) -> list[int]:
    return list(range(bisect.bisect_left(minutes, t), bisect.bisect_right(minutes, t)))


def test_cells_at_matches_a_search_of_the_minutes() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        minutes = sorted(rng.integers(0, 40, size=int(rng.integers(0, 30))).tolist())
        plan = plan_of(minutes)
        for t in range(-3, 46):
            assert list(plan.cells_at(t)) == searched(minutes, t), (minutes, t)


def test_signal_minutes_are_the_unique_minutes_of_the_passing_cells() -> None:
    rng = np.random.default_rng(8)
    for _ in range(30):
        minutes = sorted(rng.integers(0, 25, size=int(rng.integers(0, 40))).tolist())
        passes = (rng.random(len(minutes)) < 0.4).tolist()
        expected = np.unique(np.array(minutes, dtype=np.int64)[np.array(passes, dtype=np.bool_)])
        found = plan_of(minutes, passes).signal_minutes()
        assert found.dtype == expected.dtype and found.tolist() == expected.tolist()
