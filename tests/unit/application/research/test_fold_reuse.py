"""What a lab's trials share is found once and gives what each trial found on its own: a fold's bounds,
each part's rows with only the trial's feature columns, and each test period's market for the core."""

from __future__ import annotations

import numpy as np
import pytest
from tests.conftest import SAMPLE_KLINES

from adapters.history.klines import load_klines
from adapters.kernels.research_core import NumbaResearchCore
from application.research.fold_reuse import FoldReuse, columns_of, gather_columns
from application.research.fold_simulation import FoldSimulator, fold_market
from application.research.folds import fold_bounds, gather, part_masks
from application.research.market_periods import plan_periods, research_bars
from application.research.period_bars import PeriodBars
from application.research.trial_params import TrialParams
from bootstrap.lab_confirm import default_filters
from bootstrap.research_mapping import core_settings_from
from bootstrap.settings import load_settings
from domain.outcome import TradeCosts
from domain.scanner_rules import ScannerRules
from domain.statistics.break_even import BINANCE_SPOT_TIERS


@pytest.fixture(scope="module")
def periods() -> list[PeriodBars]:
    klines = load_klines(SAMPLE_KLINES, None, None, None)
    return research_bars(klines, plan_periods(klines, max_days=1.0), 1, ScannerRules())


def test_a_folds_bounds_are_found_once_and_are_fold_bounds(periods: list[PeriodBars]) -> None:
    reuse = FoldReuse()
    sizes = {"validation_fraction": 0.3, "max_train_rows": 2_000}
    found = reuse.bounds(periods[:2], periods[2], gap_bars=11, **sizes)
    assert found == fold_bounds(periods[:2], periods[2], gap_bars=11, **sizes)
    assert reuse.bounds(periods[:2], periods[2], gap_bars=11, **sizes) is found
    assert reuse.bounds(periods[:2], periods[2], gap_bars=31, **sizes) != found  # another gap, other bounds
    assert reuse.bounds([periods[0]], periods[1], gap_bars=5_000, **sizes) is None  # too short: refused


@pytest.mark.parametrize("features", ["all", "momentum+trend", "volatility+price_action"])
def test_a_parts_rows_hold_the_trials_columns_of_the_rows_gather_keeps(periods: list[PeriodBars],
                                                                      features: str) -> None:
    params = TrialParams(features=features, hold_minutes=20)
    prior = periods[:3]
    nets = [p.outcomes(params.exit_rules, TradeCosts()).net_return_pct for p in prior]
    bounds = fold_bounds(prior, periods[3], gap_bars=21, validation_fraction=0.3, max_train_rows=2_000)
    cols = params.feature_columns()
    for part, mask in part_masks(bounds).items():
        plain, narrow = gather(prior, nets, mask), gather_columns(prior, nets, mask, cols)
        assert len(narrow) > 0, part
        np.testing.assert_array_equal(narrow.features, plain.features[:, list(cols)])
        np.testing.assert_array_equal(narrow.net_pct, plain.net_pct)
        np.testing.assert_array_equal(narrow.time_ms, plain.time_ms)
        assert narrow.features.flags.c_contiguous
    whole = periods[3].features
    assert columns_of(whole, tuple(range(whole.shape[1]))) is whole  # every column: no copy


def test_a_test_periods_market_is_built_once_and_gives_the_same_trades(periods: list[PeriodBars]) -> None:
    settings = core_settings_from(load_settings(None, environ={}, env_file=None))
    simulate = FoldSimulator(NumbaResearchCore(), settings, default_filters, tuple(BINANCE_SPOT_TIERS), 0.02)
    test = periods[2]
    score = test.features[:, 0].astype(np.float64)
    selected = score >= np.quantile(score, 0.9)
    params = TrialParams(hold_minutes=20)
    first = simulate(test, selected, score, params)
    market = simulate.markets[id(test)]
    again = simulate(test, selected, score, params)
    assert simulate.markets[id(test)] is market and market.test is test
    fresh = FoldSimulator(NumbaResearchCore(), settings, default_filters, tuple(BINANCE_SPOT_TIERS), 0.02)
    alone = fresh(test, selected, score, params)
    assert len(first.trades) > 0
    for run in (again, alone):
        for name in ("symbol", "entry_ms", "pnl_pct"):
            np.testing.assert_array_equal(getattr(run.trades, name), getattr(first.trades, name))
        np.testing.assert_array_equal(run.tradable, first.tradable)
    rebuilt = fold_market(test, default_filters)
    np.testing.assert_array_equal(rebuilt.grid.bars, market.grid.bars)
