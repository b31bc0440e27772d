"""A lab trial's figures are pinned: what a trial repeats of the work of earlier trials in its session
(bars, fold rows, the research core's grid) may be reused, never changing a figure. On the embedded sample
(4 days of 5 pairs, one-day periods, three folds), real LightGBM on one thread and the compiled research
core; the pinned values were made by the code before any reuse (commit 38b0f2f), and a session asked the
same trials twice gives them twice."""

from __future__ import annotations

import math

import pytest
from tests.conftest import SAMPLE_KLINES

from adapters.history.klines import load_klines
from adapters.kernels.research_core import NumbaResearchCore
from adapters.training.edge_learner import LightGbmEdgeLearner
from adapters.training.lightgbm_trainer import BoosterParams
from application.research.fold_simulation import FoldSimulator
from application.research.lab_session import LabSession
from application.research.market_periods import plan_periods
from application.research.trial_params import TrialParams
from application.research.trial_walk_forward import WalkForward
from bootstrap.lab_confirm import default_filters
from bootstrap.research_mapping import core_settings_from
from bootstrap.settings import load_settings
from domain.research_trials import TrialScore
from domain.statistics.break_even import BINANCE_SPOT_TIERS
from ports.training import EdgeLearner

TRIALS: list[dict[str, object]] = [
    {"take_profit_pct": 0.4, "stop_loss_pct": 0.5, "hold_minutes": 10, "top_fraction": 0.08},
    {"take_profit_pct": 0.3, "stop_loss_pct": 0.8, "hold_minutes": 25, "trailing": True,
     "trailing_activation_pct": 0.25, "trailing_distance_pct": 0.15, "features": "momentum+trend",
     "fee_tier": "regular + BNB", "top_fraction": 0.03},
    {"take_profit_pct": 0.6, "stop_loss_pct": 0.4, "hold_minutes": 6, "selection": "ev_gate",
     "label_margin_pct": 0.2, "universe": "majors"},
    {"take_profit_pct": 0.5, "stop_loss_pct": 0.5, "hold_minutes": 10, "universe": "majors",
     "features": "volatility+price_action", "top_fraction": 0.1},
    {"take_profit_pct": 0.25, "stop_loss_pct": 1.0, "hold_minutes": 30, "selection": "ev_gate"},
]
# (mean net % a trade or None without trades, trades, daily P&L: sum, sum of |day|), made at 38b0f2f
PINNED: list[tuple[float | None, int, float, float]] = [
    (-0.2631510484, 107, -28.157162, 28.157162), (-0.1750611296, 57, -9.978484, 9.978484),
    (None, 0, 0.0, 0.0), (-0.2658816022, 159, -42.275175, 42.275175), (None, 0, 0.0, 0.0)]


def _learner(params: TrialParams) -> EdgeLearner:
    return LightGbmEdgeLearner(BoosterParams(
        n_estimators=min(params.n_estimators, 40), learning_rate=params.learning_rate,
        num_leaves=params.num_leaves, min_child_samples=50, early_stopping_rounds=10, n_jobs=1, seed=16))


@pytest.fixture(scope="module")
def session() -> LabSession:
    klines = load_klines(SAMPLE_KLINES, None, None, None)
    settings = load_settings(None, environ={}, env_file=None)
    simulate = FoldSimulator(NumbaResearchCore(), core_settings_from(settings), default_filters,
                             tuple(BINANCE_SPOT_TIERS), 0.02)
    return LabSession(klines, plan_periods(klines, max_days=1.0), _learner,
                      WalkForward(validation_fraction=0.3, max_train_rows=5_000, embargo_bars=5,
                                  gate_min_trades=10),
                      tuple(BINANCE_SPOT_TIERS), 0.02, {"all": None, "majors": ["BTCUSDT", "ETHUSDT"]},
                      simulate=simulate)


def _figures(score: TrialScore) -> tuple[float | None, int, float, float]:
    value = None if math.isnan(score.value) else round(score.value, 10)  # NaN: no trade
    return (value, score.count, round(sum(score.daily_pnl), 6), round(sum(map(abs, score.daily_pnl)), 6))


def test_trial_figures_are_the_ones_made_before_any_reuse(session: LabSession) -> None:
    first = [_figures(session.score(values)) for values in TRIALS]
    again = [_figures(session.score(values)) for values in reversed(TRIALS)][::-1]
    assert again == first
    assert first == PINNED
