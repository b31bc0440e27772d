"""The lab's verdict on its best candidates: each finalist is walked forward again (the same seeded fit)
to get its trades, then every trust figure is computed, with the deflated Sharpe ratio over the study's
real number of trials and the study's PBO.

A candidate PASSES only when its weekly-clustered interval is above zero, its excess over the
market-drift benchmark is above zero, it still makes money without its five best days, and its deflated
Sharpe ratio and the study's PBO clear the thresholds (defaults DSR >= 0.95, PBO <= 0.2). Its figures
per market regime (regime_figures.py) are shown beside its calendar periods; they judge nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt

from application.research.regime_figures import RegimeFigures, regime_figures
from application.research.study_figures import StudyOverfitting, daily_pnl
from application.research.trial_params import TrialParams, trial_params
from application.research.trial_walk_forward import TrialOutcome
from domain.lab_gate import GateThresholds
from domain.research_trials import TrialRecord
from domain.statistics.overfitting import SharpeMoments, sharpe_moments
from domain.statistics.regimes import MarketStates
from domain.statistics.trust import Costing, TrustFigures, trust_figures

Replay = Callable[[TrialParams], tuple[TrialOutcome, Costing]]
States = Callable[[TrialParams, npt.NDArray[np.int64]], MarketStates]  # a trial's market regime at times

DEFAULT_THRESHOLDS = GateThresholds()  # DSR >= 0.95, PBO <= 0.2


@dataclass(frozen=True)
class Candidate:
    record: TrialRecord
    params: TrialParams
    trust: TrustFigures
    sharpe: SharpeMoments  # of its daily P&L over the test calendar
    deflated_sharpe: float
    failures: tuple[str, ...]  # the tests it failed, with numbers; empty = passed
    outcome: TrialOutcome | None = None  # its walk-forward (the real loop confirms its folds' trades)
    regimes: RegimeFigures | None = None  # its trades per market regime at entry

    @property
    def passed(self) -> bool:
        return not self.failures


def failures_of(trust: TrustFigures, dsr: float, pbo: float, thresholds: GateThresholds) -> tuple[str, ...]:
    failed = []
    if not trust.weekly.ci_low > 0:
        failed.append(f"{trust.cluster_by}-clustered 95% interval of the mean reaches "
                      f"{trust.weekly.ci_low:+.4f}% (not above 0)")
    if not trust.excess.ci_low > 0:
        failed.append(f"excess over the market drift: interval low {trust.excess.ci_low:+.4f}% (not above 0)")
    if not trust.without_best_days.mean > 0:
        failed.append(f"without its five best days the mean is {trust.without_best_days.mean:+.4f}%")
    if not dsr >= thresholds.min_deflated_sharpe:
        failed.append(f"deflated Sharpe ratio {dsr:.3f} < {thresholds.min_deflated_sharpe}")
    if not pbo <= thresholds.max_pbo:
        failed.append(f"probability of backtest overfitting {pbo:.3f} > {thresholds.max_pbo}")
    return tuple(failed)


def best_records(records: Sequence[TrialRecord], top: int) -> list[TrialRecord]:
    complete = [r for r in records
                if r.state == "complete" and r.value is not None and math.isfinite(r.value)]
    return sorted(complete, key=lambda r: r.value or 0.0, reverse=True)[:top]


def judge_candidates(records: Sequence[TrialRecord], study: StudyOverfitting, replay: Replay,
                     calendar: Sequence[int], *, top: int = 5,
                     thresholds: GateThresholds = DEFAULT_THRESHOLDS, seed: int = 0,
                     states: States | None = None, regime_rule: str = "") -> list[Candidate]:
    """`states`: the market regimes (without them, no per-regime breakdown), read as `regime_rule` says."""
    days = np.asarray(calendar, dtype=np.int64)
    out = []
    for record in best_records(records, top):
        params = trial_params(record.params)
        outcome, costing = replay(params)
        trades = outcome.trades()
        trust = trust_figures(trades, outcome.benchmark(), costing, seed=seed)
        moments = sharpe_moments(daily_pnl(trades, days))
        dsr = study.deflated(moments)
        regimes = None if states is None else \
            regime_figures(trades, partial(states, params), trust.cluster_by, regime_rule)
        out.append(Candidate(record, params, trust, moments, dsr,
                             failures_of(trust, dsr, study.pbo.pbo, thresholds), outcome, regimes))
    return out
