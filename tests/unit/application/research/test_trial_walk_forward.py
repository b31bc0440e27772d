"""One lab trial's walk-forward on eight days of real BTC and ETH klines, in four periods of two days."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from tests.unit.application.research.lab_support import FakeLearner, real_klines

from application.research.market_periods import plan_periods, research_bars
from application.research.period_bars import PeriodBars
from application.research.resample import resample_klines
from application.research.trial_params import TrialParams, trial_params
from application.research.trial_walk_forward import WalkForward, evaluate_trial
from domain.features import KlineArrays
from domain.outcome import TradeCosts
from domain.scanner_rules import ScannerRules
from domain.time_units import DAY_MS, MINUTE_MS

COSTS = TradeCosts()
CONFIG = WalkForward(validation_fraction=0.3, max_train_rows=50_000)


@pytest.fixture(scope="module")
def klines(shared_data: Path) -> dict:
    return real_klines(shared_data, 8.0)


@pytest.fixture(scope="module")
def periods(klines: dict) -> list[PeriodBars]:
    return research_bars(klines, plan_periods(klines, max_days=2.0), 1, ScannerRules())


def test_periods_come_from_the_datas_own_time(klines: dict) -> None:
    plans = plan_periods(klines, max_days=2.0)
    assert len(plans) == 4
    assert all(b.start_ms == a.end_ms for a, b in itertools.pairwise(plans))
    assert plans[0].name.startswith("2026-03-2")
    k = klines["BTCUSDT"]
    keep = (k.open_time_ms < k.open_time_ms[0] + DAY_MS) | (k.open_time_ms > k.open_time_ms[0] + 2 * DAY_MS)
    columns = ("open_time_ms", "open", "high", "low", "close", "volume")
    holed = KlineArrays(*(getattr(k, f)[keep] for f in columns))
    assert len(plan_periods({"BTCUSDT": holed}, gap_hours=6)) == 2


def test_resampling_keeps_only_whole_buckets(klines: dict) -> None:
    k = klines["BTCUSDT"]
    five = resample_klines(k, 5)
    assert np.all(np.diff(five.open_time_ms) % (5 * MINUTE_MS) == 0)
    first = np.flatnonzero(k.open_time_ms == five.open_time_ms[0])[0]
    assert five.high[0] == k.high[first:first + 5].max() and five.close[0] == k.close[first + 4]
    assert five.volume[0] == pytest.approx(k.volume[first:first + 5].sum())


def test_trades_are_taken_only_in_test_periods_after_training(periods: list[PeriodBars]) -> None:
    learner = FakeLearner()
    outcome = evaluate_trial(periods, TrialParams(top_fraction=0.1), learner, COSTS, CONFIG)
    assert [f.period for f in outcome.folds] == [p.name for p in periods[1:]]
    trades = outcome.trades()
    assert len(trades) > 0 and trades.time_ms.min() >= periods[1].time_ms.min()
    assert 0.02 < outcome.count / len(outcome.benchmark()) < 0.3  # about the top 10% of validation scores
    assert len(learner.fitted_rows) == 3


def test_a_pruner_stops_the_trial_after_the_first_fold(periods: list[PeriodBars]) -> None:
    asked = []

    def stop(fold: int, running: float) -> bool:
        asked.append((fold, running))
        return True

    outcome = evaluate_trial(periods, TrialParams(), FakeLearner(), COSTS, CONFIG, stop)
    assert outcome.pruned and len(outcome.folds) == 1 and asked[0][0] == 1


def test_the_embargo_leaves_the_first_test_bars_untraded(periods: list[PeriodBars]) -> None:
    config = WalkForward(validation_fraction=0.3, max_train_rows=50_000, embargo_bars=120)
    outcome = evaluate_trial(periods, TrialParams(top_fraction=0.5), FakeLearner(), COSTS, config)
    for fold, test in zip(outcome.folds, periods[1:], strict=True):
        traded = fold.time_ms[np.isfinite(fold.net_pct)]
        assert traded.min() >= test.time_ms.min() + 120 * MINUTE_MS


def test_a_feature_subset_and_a_longer_bar(klines: dict) -> None:
    five = research_bars(klines, plan_periods(klines, max_days=2.0), 5, ScannerRules())
    params = trial_params({"interval_minutes": 5, "hold_minutes": 60, "features": "momentum+trend"})
    assert params.timeout_bars == 12 and len(params.feature_columns()) == 18
    outcome = evaluate_trial(five, params, FakeLearner(), COSTS, CONFIG)
    assert len(outcome.folds) >= 1 and five[0].interval_ms == 5 * MINUTE_MS


def test_bad_values_are_named() -> None:
    with pytest.raises(ValueError, match="unknown key 'colour'"):
        trial_params({"colour": 1})
    with pytest.raises(ValueError, match="feature group 'smell'"):
        trial_params({"features": "momentum+smell"})
    with pytest.raises(ValueError, match="hold_minutes"):
        trial_params({"interval_minutes": 60, "hold_minutes": 30})
