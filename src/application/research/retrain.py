"""`research retrain` (issue 16 item 8, spec 5.6): train a challenger on the newest data and compare it with
the model in service on the newest out-of-time window, under the lab's statistics.

The window: the newest `test_ms` of the data (ending at its newest bar) is the test; the challenger learns
from the `train_ms` before it (its validation halves inside, application.research.folds), ending one purge
gap (the trade window plus a bar) before the test so no label reads a test bar; the test's first
`embargo_ms` are not traded by either model. The model in service trades the window with its own card:
its exits, its EV gate margin; both pay the same costs. The challenger published is the one that was
tested (it is not refitted through the test window: what is promoted is exactly what was measured).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from application.research.candidate_fit import FittedCandidate, fit_candidate
from application.research.compare_models import Comparison, Contender, compare_models
from application.research.period_bars import PeriodBars
from application.research.trial_params import TrialParams
from application.research.trial_walk_forward import FoldTrades, TrialOutcome, WalkForward
from domain.lab_gate import GateThresholds
from domain.outcome import ExitRules, TradeCosts
from domain.statistics.trust import Costing
from domain.time_units import DAY_MS
from ports.training import EdgeLearner

Floats = npt.NDArray[np.float64]
Features = npt.NDArray[np.float32]


@dataclass(frozen=True)
class ServedModel:
    """What retrain needs of the model in service."""

    name: str
    rules: ExitRules  # the exits its label was simulated with
    margin_pct: float | None  # its EV gate (None: it never trades)
    gate_open: bool  # the lab's verdict on its card
    expected_net_pct: Callable[[Features], Floats]


@dataclass(frozen=True)
class RetrainPlan:
    train_ms: int
    test_ms: int
    embargo_ms: int
    min_trades: int
    thresholds: GateThresholds
    walk_forward: WalkForward = field(default_factory=WalkForward)
    seed: int = 0


@dataclass(frozen=True)
class RetrainOutcome:
    window: tuple[int, int, int]  # train start, test start, end (exclusive), ms
    challenger: FittedCandidate
    comparison: Comparison


def split_window(periods: Sequence[PeriodBars], train_ms: int, test_ms: int, purge_ms: int
                 ) -> tuple[list[PeriodBars], PeriodBars, tuple[int, int, int]]:
    """(the challenger's rows, the test rows, (train start, test start, end)); the test is cut from the
    newest period."""
    if not periods:
        raise ValueError("no bars to retrain on")
    end = max(int(p.time_ms.max()) for p in periods if len(p)) + periods[-1].interval_ms
    test_start = end - test_ms
    train_start = test_start - purge_ms - train_ms
    prior = [p.take(np.flatnonzero((p.time_ms >= train_start) & (p.time_ms < test_start - purge_ms)))
             for p in periods]
    newest = periods[-1]
    test = newest.take(np.flatnonzero(newest.time_ms >= test_start))
    return [p for p in prior if len(p)], test, (train_start, test_start, end)


def _served(model: ServedModel, test: PeriodBars, costs: TradeCosts, embargo_ms: int) -> TrialOutcome:
    net = test.outcomes(model.rules, costs).net_return_pct
    net = np.where(test.time_ms >= int(test.time_ms.min()) + embargo_ms, net, np.nan) if len(test) else net
    chosen = np.zeros(len(test), dtype=np.bool_)
    if model.margin_pct is not None and len(test):
        chosen = np.asarray(model.expected_net_pct(test.features) > model.margin_pct, dtype=np.bool_)
    return TrialOutcome((FoldTrades(test.name, chosen, net, test.time_ms),))


def retrain(periods: Sequence[PeriodBars], params: TrialParams, learner: EdgeLearner, costs: TradeCosts,
            costing: Costing, served: ServedModel | None, plan: RetrainPlan) -> RetrainOutcome:
    """Fit the challenger and compare it with the served model (ValueError: too little data)."""
    purge_ms = (params.timeout_bars + 1) * periods[-1].interval_ms if periods else 0
    prior, test, window = split_window(periods, plan.train_ms, plan.test_ms, purge_ms)
    if not prior or not len(test):
        raise ValueError("the data is too short for the training window and the test window")
    fitted = fit_candidate(prior, test, params, learner, costs, plan.walk_forward, embargo_ms=plan.embargo_ms)
    mine = TrialOutcome((fitted.test,))
    if served is not None:
        theirs = _served(served, test, costs, plan.embargo_ms)
    else:  # no model in service: it trades nothing (the challenger's benchmark stands in for its own)
        theirs = TrialOutcome((FoldTrades(test.name, np.zeros(len(test), dtype=np.bool_), fitted.test.net_pct,
                                          test.time_ms),))
    calendar = np.arange(window[1] // DAY_MS, (window[2] - 1) // DAY_MS + 1, dtype=np.int64)
    comparison = compare_models(
        Contender("challenger", mine.trades(), mine.benchmark(), costing),
        Contender(served.name if served else "no model", theirs.trades(), theirs.benchmark(), costing),
        calendar, plan.thresholds, min_trades=plan.min_trades,
        current_gate_open=served.gate_open if served else False, seed=plan.seed)
    return RetrainOutcome(window, fitted, comparison)
