"""Challenger against current model on the newest out-of-time window (issue 16 item 8, spec 5.6).

Both are judged by the lab's statistics on the same window, calendar and costs: trade count, mean net
return per trade, its clustered 95% interval (by week, by day under six weeks), the market-drift
benchmark, and, over the two of them as the trials, the deflated Sharpe ratio of the daily P&L and the
probability of backtest overfitting.

The rule: the challenger is promoted when it took at least `min_trades` trades and the LOWER end of its
interval is above the current model's (a current model without a defined interval, e.g. one that does not
trade, counts as minus infinity), and it does not lose the gate: a challenger whose lab gate would stay
closed never replaces a model whose gate is open.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from application.research.study_figures import daily_pnl, even_blocks
from domain.lab_gate import GateEvidence, GateThresholds, GateVerdict, judge_gate
from domain.statistics.overfitting import backtest_overfitting, deflated_sharpe, sharpe_moments
from domain.statistics.trust import Costing, Trades, TrustFigures, trust_figures

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Contender:
    name: str
    trades: Trades  # what it selected on the window
    benchmark: Trades  # every bar's trade under its exits and costs (the market drift)
    costing: Costing


@dataclass(frozen=True)
class Judged:
    name: str
    trust: TrustFigures | None  # None without a trade
    evidence: GateEvidence
    gate: GateVerdict

    @property
    def ci_low(self) -> float:
        return self.evidence.ci_low_pct


@dataclass(frozen=True)
class Comparison:
    challenger: Judged
    current: Judged
    pbo: float
    promote: bool
    reason: str


def _trust(c: Contender, seed: int) -> TrustFigures | None:
    return trust_figures(c.trades, c.benchmark, c.costing, seed=seed) if len(c.trades) else None


def _judged(c: Contender, trust: TrustFigures | None, dsr: float, pbo: float,
            thresholds: GateThresholds) -> Judged:
    if trust is None:
        evidence = GateEvidence("retrain", 0, math.nan, math.nan, math.nan, dsr, pbo)
    else:
        evidence = GateEvidence("retrain", trust.count, trust.mean_pct, trust.weekly.ci_low,
                                trust.weekly.ci_high,
                                dsr, pbo)
    return Judged(c.name, trust, evidence, judge_gate(evidence, thresholds))


def _low(value: float) -> float:
    return value if math.isfinite(value) else -math.inf


def compare_models(challenger: Contender, current: Contender, calendar: Ints, thresholds: GateThresholds, *,
                   min_trades: int, current_gate_open: bool, seed: int = 0) -> Comparison:
    contenders: Sequence[Contender] = (challenger, current)
    daily = np.column_stack([daily_pnl(c.trades, calendar) for c in contenders])
    moments = [sharpe_moments(daily[:, j]) for j in range(2)]
    finite = [m.sharpe for m in moments if math.isfinite(m.sharpe)]
    variance = float(np.var(finite, ddof=1)) if len(finite) == 2 else math.nan
    dsr = [deflated_sharpe(m, 2, variance) if math.isfinite(variance) else math.nan for m in moments]
    pbo = backtest_overfitting(daily, even_blocks(len(daily))).pbo if len(daily) >= 4 else math.nan
    new, old = (_judged(c, _trust(c, seed), d, pbo, thresholds) for c, d in zip(contenders, dsr, strict=True))
    promote, reason = _decide(new, old, min_trades=min_trades, current_gate_open=current_gate_open)
    return Comparison(new, old, pbo, promote, reason)


def _decide(new: Judged, old: Judged, *, min_trades: int, current_gate_open: bool) -> tuple[bool, str]:
    count = new.evidence.trades
    if count < min_trades:
        return False, f"kept the current model: the challenger took {count} trades (< {min_trades})"
    if not math.isfinite(new.ci_low):
        return False, "kept the current model: the challenger's interval is undefined (one cluster)"
    if not new.ci_low > _low(old.ci_low):
        return False, (f"kept the current model: the challenger's interval low {new.ci_low:+.4f}% is not "
                       f"above "
                       f"the current model's {old.ci_low:+.4f}%")
    if current_gate_open and not new.gate.open:
        return False, (f"kept the current model: its gate is open and the challenger's would stay closed "
                       f"({new.gate.reason})")
    old_low = "undefined" if not math.isfinite(old.ci_low) else f"{old.ci_low:+.4f}%"
    gate = "open" if new.gate.open else f"closed ({new.gate.reason})"
    return True, (f"promoted the challenger: interval low {new.ci_low:+.4f}% > the current model's {old_low} "
                  f"over {count} trades; its lab gate is {gate}")
