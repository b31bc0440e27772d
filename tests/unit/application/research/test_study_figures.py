"""The study's figures: N counts every trial tried, the matrix holds complete trials, PBO and DSR."""

from __future__ import annotations

import math

import numpy as np
import pytest

from application.research.study_figures import daily_pnl, even_blocks, study_overfitting
from domain.research_trials import TrialRecord
from domain.statistics.trust import Trades
from domain.time_units import DAY_MS


def _record(number: int, state: str, daily: list[float] | None) -> TrialRecord:
    value = float(np.mean(daily)) if daily else None
    return TrialRecord(number, {}, state, value, 100, tuple(daily) if daily is not None else None)


def test_every_tried_trial_counts_and_the_matrix_holds_the_complete_ones() -> None:
    rng = np.random.default_rng(4)
    records = [_record(i, "complete", rng.normal(0, 1, 40).tolist()) for i in range(12)]
    records += [_record(12, "pruned", None), _record(13, "failed", None)]
    study = study_overfitting(records)
    assert study.trials == 13 and study.complete == 12  # a failed trial never ran its walk-forward
    assert study.blocks == 16 and study.pbo.splits == math.comb(16, 8)
    assert 0 <= study.pbo.pbo <= 1 and study.sharpe_variance > 0


def test_a_planted_skill_among_noise_is_not_overfit() -> None:
    rng = np.random.default_rng(5)
    records = [_record(i, "complete", rng.normal(0, 1, 64).tolist()) for i in range(20)]
    records.append(_record(20, "complete", (rng.normal(0, 1, 64) + 1.5).tolist()))
    study = study_overfitting(records)
    assert study.pbo.pbo < 0.1


def test_trials_over_different_calendars_are_refused() -> None:
    with pytest.raises(ValueError, match="calendars"):
        study_overfitting([_record(0, "complete", [1.0, 2.0]), _record(1, "complete", [1.0])])


def test_daily_pnl_sums_trades_per_day_with_zero_days() -> None:
    calendar = np.arange(10, 14, dtype=np.int64)
    trades = Trades(np.array([1.0, 2.0, -0.5]), np.array([10, 10, 13], dtype=np.int64) * DAY_MS + 5,
                    np.array(["p", "p", "p"]))
    assert daily_pnl(trades, calendar).tolist() == [3.0, 0.0, 0.0, -0.5]
    assert even_blocks(40) == 16 and even_blocks(9) == 4 and even_blocks(3) == 2
