"""The edge report's use case on small slices of real recorded klines (../shared/data).

Periods: BTC and ETH, 2025-06 (a few days), then BNB..XRP, 2026-03 (a few days). The learner is the real
LightGBM one, kept small so the whole module runs in a few seconds.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adapters.training.edge_data import load_edge_periods, load_period
from adapters.training.edge_learner import LightGbmEdgeLearner
from adapters.training.lightgbm_trainer import BoosterParams
from application.research.period_bars import PeriodBars, build_period_bars
from application.research.period_rows import period_rows
from application.research.ranking import auc
from application.research.walk_forward import EdgeConfig, NamedPolicy, evaluate_edge
from domain.outcome import ExitRules, TradeCosts, simulate_exits
from domain.scanner_rules import ScannerRules

QUICK_FILE = Path(__file__).resolve().parents[4] / "config" / "report" / "edge-periods.yaml"
DAYS = 3.0
COSTS = TradeCosts(entry_fee=0.001, take_profit_fee=0.001, exit_fee=0.001, slippage_pct=0.0002)
POLICIES = (NamedPolicy("tight", ExitRules(0.003, 0.004, 5)),
            NamedPolicy("wide", ExitRules(0.006, 0.006, 15)))
# One thread: OpenMP threads spin badly when the shared 2-core machine is busy.
LEARNER = LightGbmEdgeLearner(BoosterParams(n_estimators=30, min_child_samples=50, early_stopping_rounds=10,
                                           n_jobs=1))
CONFIG = EdgeConfig(policies=POLICIES, costs=COSTS, cost_variants=(("cheap", TradeCosts(0.00075, 0.00075,
                                                                                       0.00075, 0.0)),),
                    min_trades=10)


@pytest.fixture(scope="module")
def periods(shared_data: Path) -> list[PeriodBars]:
    return [build_period_bars(p.name, load_period(shared_data, p, max_days=DAYS), ScannerRules())
            for p in load_edge_periods(QUICK_FILE).quick]


def _scrambled(bars: PeriodBars) -> PeriodBars:
    """The same bars with another price path: every future outcome of the test period changes."""
    rng = np.random.default_rng(5)
    factor = np.exp(np.cumsum(rng.normal(0, 0.003, len(bars))))
    return dataclasses.replace(bars, open=bars.open * factor, high=bars.high * factor * 1.002,
                               low=bars.low * factor * 0.998, close=bars.close * factor)


def test_trade_outcomes_read_only_bars_after_the_signal_bar(periods: list[PeriodBars]) -> None:
    bars = periods[0]
    rules = ExitRules(0.003, 0.004, 5)
    net = bars.outcomes(rules, COSTS).net_return_pct
    t = bars.blocks[0].start + 500
    changed = dataclasses.replace(bars, high=bars.high.copy(), low=bars.low.copy(), close=bars.close.copy(),
                                  open=bars.open.copy())
    changed.high[: t + 1] *= 1.05  # the signal bar and everything before it
    changed.low[: t + 1] *= 0.95
    changed.close[: t + 1] *= 1.01
    changed.open[: t + 1] *= 0.99
    assert changed.outcomes(rules, COSTS).net_return_pct[t] == net[t]
    changed.open[t + 1] *= 1.001  # the entry: the next bar's open
    assert changed.outcomes(rules, COSTS).net_return_pct[t] != net[t]
    own = simulate_exits(bars.open[t:t + 7], bars.high[t:t + 7], bars.low[t:t + 7], bars.close[t:t + 7],
                         bars.time_ms[t:t + 7], rules, COSTS)
    assert own.net_return_pct[0] == net[t]


def test_gates_and_exit_policies_are_fitted_without_the_test_period(periods: list[PeriodBars]) -> None:
    first = evaluate_edge(periods, LEARNER, CONFIG)
    second = evaluate_edge([periods[0], _scrambled(periods[1])], LEARNER, CONFIG)
    a, b = first.folds[0], second.folds[0]
    assert a.bounds == b.bounds and a.bounds.validation_end_ms <= int(periods[1].time_ms.min())
    assert a.policy == b.policy and a.gate.threshold_pct == b.gate.threshold_pct
    assert [t.gate.stats for t in a.trials] == [t.gate.stats for t in b.trials]
    assert a.row("all bars").mean_pct != b.row("all bars").mean_pct  # the test figures did change


def test_report_rows_agree_with_an_independent_pandas_computation(periods: list[PeriodBars]) -> None:
    bars = periods[1]
    net = bars.outcomes(ExitRules(0.003, 0.004, 5), COSTS).net_return_pct
    score = bars.features[:, 0].astype(np.float64)  # any score: rows are what is under test
    expected = score / 1000
    selected = score > np.nanquantile(score, 0.8)
    rows, _ = period_rows(bars, net, score, expected, selected, seed=1)
    by_name = {r.name: r for r in rows}
    df = pd.DataFrame({"time": bars.time_ms, "symbol": bars.symbol, "net": net, "score": score,
                       "scan": bars.scan_score, "alert": bars.scan_alert, "selected": selected})
    trades = df[df["net"].notna()].sort_values("score", kind="stable").reset_index(drop=True)
    trades["decile"] = np.arange(len(trades)) * 10 // len(trades) + 1
    for decile, group in trades.groupby("decile"):
        row = by_name[f"model decile {decile}"]
        assert row.count == len(group)
        assert row.mean_pct == pytest.approx(group["net"].mean(), abs=1e-12)
        assert row.win_rate == pytest.approx((group["net"] > 0).mean(), abs=1e-12)
    chosen = df[df["selected"] & df["net"].notna()]
    assert by_name["model: EV gate (selected)"].count == len(chosen)
    assert by_name["model: EV gate (selected)"].mean_pct == pytest.approx(chosen["net"].mean(), abs=1e-12)
    top = df.loc[df.groupby("time")["scan"].idxmax()]
    scanner = top[top["alert"] & (top["scan"] > 0.5) & top["net"].notna()]
    row = by_name["scanner rule alone"]
    assert row.count == len(scanner) and row.count > 0
    assert row.mean_pct == pytest.approx(scanner["net"].mean(), abs=1e-12)
    assert row.win_rate == pytest.approx((scanner["net"] > 0).mean(), abs=1e-12)
    everything = df[df["net"].notna()]
    assert by_name["all bars"].count == len(everything)
    assert by_name["all bars"].mean_pct == pytest.approx(everything["net"].mean(), abs=1e-12)
    random = next(r for r in rows if r.name.startswith("random entries"))
    assert random.count == len(chosen)


def test_a_closed_gate_selects_no_trade_and_says_why(periods: list[PeriodBars]) -> None:
    strict = dataclasses.replace(CONFIG, margin_pct=5.0)  # no trade can be expected to make 5%
    fold = evaluate_edge(periods, LEARNER, strict).folds[0]
    assert not fold.gate.is_open and "closed" in fold.gate.rationale
    assert fold.row("model: EV gate").count == 0 and not fold.positive and not fold.beats_baselines
    assert fold.row("model decile 10").count > 0  # the deciles are still reported


def test_auc_matches_the_pairwise_definition_with_ties() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(300) < 0.4).astype(np.float64)
    s = np.round(rng.normal(size=300) + y, 1)  # rounded: many ties
    pos, neg = s[y == 1], s[y == 0]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert abs((auc(y, s) or 0) - pairs) < 1e-12
    assert auc(np.ones(5), np.arange(5.0)) is None
