"""Reproduce issue 8's measurement on one period: a 70/15/15 time split with a purge gap, the spec label
against a volatility-only ranking (ATR%), and what ranking entries by each model earns after costs.

- spec model: trained on spec 5.2's label (high of the next `horizon` bars >= close x (1 + threshold));
- outcome model: trained on "the trade ends with a positive net return" under `rules` and `costs`;
both ranked on the test part, whose trades are simulated from the next bar's open (domain.outcome).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from application.research.period_bars import PeriodBars
from application.research.period_rows import EdgeRow, row_of
from application.research.ranking import auc
from domain.labels import spec_label
from domain.outcome import ExitRules, TradeCosts
from domain.time_units import MINUTE_MS
from ports.training import EdgeLearner

Floats = npt.NDArray[np.float64]
TOP_SHARES = (0.10, 0.01)


@dataclass(frozen=True)
class Reproduction:
    period: str
    test_rows: int
    spec_auc: float | None  # spec model vs spec label, test
    spec_atr_auc: float | None  # ATR% alone vs spec label, test
    outcome_auc: float | None  # outcome model vs "trade wins", test
    outcome_atr_auc: float | None
    rows: tuple[EdgeRow, ...]  # all bars, then each model's top shares


def _spec_labels(bars: PeriodBars, horizon: int, threshold: float) -> Floats:
    out = np.full(len(bars), np.nan)
    for block in bars.blocks:
        out[block] = spec_label(bars.high[block], bars.close[block], horizon, threshold,
                                open_time_ms=bars.time_ms[block])
    return out


def _top(score: Floats, share: float) -> npt.NDArray[np.bool_]:
    keep: npt.NDArray[np.bool_] = score >= np.quantile(score, 1 - share)
    return keep


def reproduce(bars: PeriodBars, learner: EdgeLearner, rules: ExitRules, costs: TradeCosts, *,
              horizon: int = 3, threshold: float = 0.002, max_train_rows: int = 300_000) -> Reproduction:
    net = bars.outcomes(rules, costs).net_return_pct
    spec = _spec_labels(bars, horizon, threshold)
    known = np.isfinite(net) & np.isfinite(spec)
    times = np.sort(bars.time_ms[known])
    gap = (max(horizon, rules.timeout_bars) + 1) * MINUTE_MS
    val_start, test_start = int(times[int(0.70 * len(times))]), int(times[int(0.85 * len(times))])
    t = bars.time_ms
    train = known & (t < val_start - gap)
    stride = max(1, int(np.ceil(train.sum() / max_train_rows)))
    train &= (t // MINUTE_MS) % stride == 0
    val = known & (t >= val_start) & (t < test_start - gap)
    test = known & (t >= test_start)
    x = bars.features
    win = (net > 0).astype(np.float64)
    spec_model = learner.fit(x[train], spec[train], x[val], spec[val], net[val])
    outcome_model = learner.fit(x[train], win[train], x[val], win[val], net[val])
    test_net, test_times = net[test], t[test]
    spec_score, outcome_score = spec_model.score(x[test]), outcome_model.score(x[test])
    atr = bars.atr_pct[test]
    rows = [row_of("all test bars", test_net, np.ones(len(test_net), dtype=np.bool_), test_times)]
    for name, score in (("spec-label model", spec_score), ("outcome model", outcome_score),
                        ("ATR% alone (volatility)", atr)):
        rows += [row_of(f"{name}: top {share:.0%}", test_net, _top(score, share), test_times)
                 for share in TOP_SHARES]
    return Reproduction(bars.name, int(test.sum()), auc(spec[test], spec_score), auc(spec[test], atr),
                        auc(win[test], outcome_score), auc(win[test], atr), tuple(rows))
