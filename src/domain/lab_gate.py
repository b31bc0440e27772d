"""The lab's gate on a published model (issue 16, item 4): the bot trades only what the lab passed.

A model may trade only with out-of-time evidence that it earns: the result of `research holdout` (a frozen
candidate tested once on data no study read) or of `research retrain`'s newest window. The evidence
passes when it is positive (trades, a positive mean net return per trade after costs, and the lower end of
its clustered 95% interval above zero), its deflated Sharpe ratio reaches the configured minimum and the
probability of backtest overfitting stays under the configured maximum. Every test that fails is named
with its numbers; a model without evidence fails with "no holdout passed".
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class GateThresholds:
    min_deflated_sharpe: float = 0.95
    max_pbo: float = 0.2


@dataclass(frozen=True)
class GateEvidence:
    """What an out-of-time test showed (NaN where a figure is undefined, e.g. without trades)."""

    source: str  # "holdout" or "retrain"
    trades: int
    mean_net_pct: float
    ci_low_pct: float
    ci_high_pct: float
    deflated_sharpe: float
    pbo: float


@dataclass(frozen=True)
class GateVerdict:
    open: bool
    failures: tuple[str, ...]  # the tests that failed, with numbers; empty when open

    @property
    def reason(self) -> str:
        return "passed" if self.open else "; ".join(self.failures)


def _pct(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:+.4f}%"


def judge_gate(evidence: GateEvidence | None, thresholds: GateThresholds, *, known: str = "") -> GateVerdict:
    """Open only for passing evidence; `known` adds the figures a model without evidence has elsewhere."""
    if evidence is None:
        figures = f" ({known})" if known else ""
        return GateVerdict(False, (f"no holdout passed: the model carries no out-of-time evidence from the "
                                   f"lab{figures}",))
    e, failed = evidence, []
    if e.trades < 1:
        failed.append(f"{e.source}: no trade")
    if not e.mean_net_pct > 0:
        failed.append(f"{e.source} mean net return {_pct(e.mean_net_pct)} per trade over {e.trades} trades "
                      f"(not above 0)")
    if not e.ci_low_pct > 0:
        failed.append(f"{e.source} 95% interval of the mean {_pct(e.ci_low_pct)}..{_pct(e.ci_high_pct)} "
                      f"(its low end not above 0)")
    if not e.deflated_sharpe >= thresholds.min_deflated_sharpe:
        dsr = "n/a" if not math.isfinite(e.deflated_sharpe) else f"{e.deflated_sharpe:.3f}"
        failed.append(f"deflated Sharpe ratio {dsr} < {thresholds.min_deflated_sharpe:g}")
    if not e.pbo <= thresholds.max_pbo:
        pbo = "n/a" if not math.isfinite(e.pbo) else f"{e.pbo:.3f}"
        failed.append(f"probability of backtest overfitting {pbo} > {thresholds.max_pbo:g}")
    return GateVerdict(not failed, tuple(failed))
