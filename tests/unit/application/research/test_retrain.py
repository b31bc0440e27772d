"""`research retrain`'s use case on synthetic bars with a planted edge (issue 16 item 8): one feature knows
the next quarter hour's move. A challenger that can see it beats a model in service that trades at random
and is promoted; a challenger blind to it loses to a model in service that uses it and is refused. The
window is purged: the challenger never trains on a bar whose trade reads the test window."""

from __future__ import annotations

import numpy as np
import pytest

from adapters.training.edge_learner import LightGbmEdgeLearner
from adapters.training.lightgbm_trainer import BoosterParams
from application.research.period_bars import PeriodBars
from application.research.retrain import RetrainPlan, ServedModel, retrain, split_window
from application.research.trial_params import TrialParams
from domain.features import FEATURE_NAMES
from domain.lab_gate import GateThresholds
from domain.outcome import ExitRules, TradeCosts
from domain.statistics.trust import Costing
from domain.time_units import DAY_MS, MINUTE_MS

T0 = 1_767_225_600_000  # 2026-01-01
DAYS, SYMBOLS, HOLD = 12, 3, 15
COSTS = TradeCosts(0.001, 0.001, 0.001, 0.0002)
COSTING = Costing(COSTS.round_trip_pct, False, 0.02)
RULES = ExitRules(0.006, 0.006, HOLD)
SEEING = TrialParams(take_profit_pct=0.6, stop_loss_pct=0.6, hold_minutes=HOLD, selection="ev_gate",
                     n_estimators=40, min_child_samples=50)
BLIND = TrialParams(**{**SEEING.as_dict(), "features": "volatility+price_action"})  # no momentum column
PLAN = RetrainPlan(train_ms=7 * DAY_MS, test_ms=4 * DAY_MS, embargo_ms=60 * MINUTE_MS, min_trades=30,
                   thresholds=GateThresholds())


def planted_bars() -> PeriodBars:
    """Random walks whose rsi_14 column is the return of the next HOLD minutes (the planted edge)."""
    rng = np.random.default_rng(4)
    n = DAYS * 1440
    parts = []
    for s in range(SYMBOLS):
        close = 100 * np.exp(np.cumsum(rng.normal(0, 0.0015, n)))
        open_ = np.r_[close[0], close[:-1]]
        high, low = np.maximum(open_, close) * 1.0003, np.minimum(open_, close) * 0.9997
        ahead = np.r_[close[HOLD:], np.full(HOLD, close[-1])] / np.r_[open_[1:], close[-1]] - 1
        features = rng.normal(0, 1, (n, len(FEATURE_NAMES))).astype(np.float32)
        features[:, FEATURE_NAMES.index("rsi_14")] = ahead * 100
        parts.append((np.full(n, s), T0 + np.arange(n) * MINUTE_MS, open_, high, low, close, features))
    sym, time, o, h, lo, c, f = (np.concatenate(p) for p in zip(*parts, strict=True))
    blocks = tuple(slice(k * n, (k + 1) * n) for k in range(SYMBOLS))
    return PeriodBars("synthetic", tuple(f"S{k}USDT" for k in range(SYMBOLS)), sym.astype(np.int64),
                      time.astype(np.int64), o, h, lo, c, f, np.zeros(len(sym)), np.zeros(len(sym), np.bool_),
                      blocks)


@pytest.fixture(scope="module")
def bars() -> PeriodBars:
    return planted_bars()


def learner() -> LightGbmEdgeLearner:
    return LightGbmEdgeLearner(BoosterParams(n_estimators=40, learning_rate=0.1, num_leaves=15,
                                             early_stopping_rounds=10, n_jobs=1, seed=1))


def served(name: str, column: str, margin: float) -> ServedModel:
    k = FEATURE_NAMES.index(column)
    return ServedModel(name, RULES, margin, False, lambda rows: np.asarray(rows[:, k], dtype=np.float64))


def test_the_window_is_purged_and_the_test_is_the_newest_days(bars: PeriodBars) -> None:
    purge = (HOLD + 1) * MINUTE_MS
    prior, test, (train_start, test_start, end) = split_window([bars], PLAN.train_ms, PLAN.test_ms, purge)
    assert end == T0 + DAYS * DAY_MS and test_start == end - PLAN.test_ms
    assert int(test.time_ms.min()) == test_start and train_start == test_start - purge - PLAN.train_ms
    assert int(prior[0].time_ms.max()) < test_start - purge


def test_a_challenger_that_sees_the_planted_edge_is_promoted_over_random_trading(bars: PeriodBars) -> None:
    noise = served("current (random)", "rsi_7", 1.0)  # trades where a noise column is above 1: ~16% of bars
    outcome = retrain([bars], SEEING, learner(), COSTS, COSTING, noise, PLAN)
    c = outcome.comparison
    assert c.promote, c.reason
    assert c.challenger.evidence.mean_net_pct > 0 > c.current.evidence.mean_net_pct
    assert c.challenger.ci_low > c.current.ci_low
    assert outcome.challenger.margin_pct is not None  # its EV gate opened on validation


def test_a_blind_challenger_is_refused_against_a_model_that_uses_the_edge(bars: PeriodBars) -> None:
    sharp = served("current (sees the edge)", "rsi_14", 0.3)  # trades when the next 15 min rise > 0.3%
    outcome = retrain([bars], BLIND, learner(), COSTS, COSTING, sharp, PLAN)
    c = outcome.comparison
    assert not c.promote
    assert c.current.evidence.mean_net_pct > 0 and c.current.ci_low > 0
    assert c.reason.startswith("kept the current model")
