"""A lab trial scored through the research core: the positions the loop would hold, not a label per bar.

On the embedded sample (runs without ../shared): a selection of many overlapping bars becomes at most
one position per pair at a time, under the trading settings' max open positions; the trial's trades are
the core's, in percent of each position's cost; the label-per-bar figures are kept for the benchmark.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from tests.conftest import SAMPLE_KLINES
from tests.unit.application.research.lab_support import FakeLearner

from adapters.history.klines import load_klines
from adapters.kernels.research_core import NumbaResearchCore
from application.research.fold_simulation import FoldSimulator
from application.research.market_periods import plan_periods, research_bars
from application.research.period_bars import PeriodBars
from application.research.trial_params import TrialParams
from application.research.trial_walk_forward import WalkForward, evaluate_trial
from bootstrap.lab_confirm import default_filters
from bootstrap.research_mapping import core_settings_from
from bootstrap.settings import load_settings
from domain.outcome import TradeCosts
from domain.scanner_rules import ScannerRules
from domain.statistics.break_even import BINANCE_SPOT_TIERS

CONFIG = WalkForward(validation_fraction=0.3, max_train_rows=50_000)


@pytest.fixture(scope="module")
def periods() -> list[PeriodBars]:
    klines = load_klines(SAMPLE_KLINES, None, None, None)
    return research_bars(klines, plan_periods(klines, max_days=1.0), 1, ScannerRules())


def _simulator(max_open: int) -> FoldSimulator:
    settings = load_settings(None, environ={}, env_file=None,
                             overrides={"risk": {"initial_capital": 1000.0, "max_open_positions": max_open}})
    return FoldSimulator(NumbaResearchCore(), core_settings_from(settings), default_filters,
                         tuple(BINANCE_SPOT_TIERS), 0.02)


def test_overlapping_selected_bars_become_positions_one_per_pair(periods: list[PeriodBars]) -> None:
    params = TrialParams(top_fraction=0.2, hold_minutes=30)
    labels = evaluate_trial(periods, params, FakeLearner(), TradeCosts(), CONFIG)
    simulated = evaluate_trial(periods, params, FakeLearner(), TradeCosts(), CONFIG,
                               simulate=_simulator(2))

    assert [f.period for f in simulated.folds] == [f.period for f in labels.folds]
    runs = [f.run for f in simulated.folds if f.run is not None]
    assert len(runs) == len(simulated.folds)
    assert 0 < simulated.count < labels.count  # a held pair is not bought again while it is held
    for run in runs:
        trades = run.trades
        for s in set(trades.symbol.tolist()):
            mine = np.flatnonzero(trades.symbol == s)
            assert all(trades.entry_ms[b] >= trades.exit_ms[a] for a, b in itertools.pairwise(mine))
        events = sorted([(int(t), 1) for t in trades.entry_ms] + [(int(t), -1) for t in trades.exit_ms])
        assert max(itertools.accumulate(step for _, step in events)) <= 2  # max_open_positions
    got = simulated.trades()
    assert np.allclose(got.net_pct, np.concatenate([r.trades.pnl_pct for r in runs]))
    assert len(simulated.benchmark()) == len(labels.benchmark())  # the market drift stays per bar
