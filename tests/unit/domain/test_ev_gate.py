"""The EV gate: a threshold on expected value chosen on the rows it is given, or closed."""

from __future__ import annotations

import numpy as np

from domain.ev_gate import fit_gate, trade_stats


def test_trade_stats_measure_sum_win_rate_and_the_worst_fall_in_time_order() -> None:
    net = np.array([0.5, -0.2, -0.4, 0.3, -0.1])
    times = np.array([5, 1, 2, 3, 4], dtype=np.int64)  # in time: -0.2 -0.4 0.3 -0.1 0.5
    stats = trade_stats(net, times)
    assert stats.count == 5 and abs(stats.total_pct - 0.1) < 1e-12
    assert abs(stats.mean_pct - 0.02) < 1e-12 and stats.win_rate == 0.4
    assert abs(stats.max_drawdown_pct - 0.6) < 1e-12  # 0 -> -0.2 -> -0.6


def test_gate_opens_where_the_expected_value_pays() -> None:
    rng = np.random.default_rng(1)
    ev = rng.uniform(-0.3, 0.3, 2000)
    net = np.where(ev > 0.1, 0.2, -0.2) + rng.normal(0, 0.01, 2000)  # pays only above 0.1
    gate = fit_gate(ev, net, np.arange(2000, dtype=np.int64), min_trades=30)
    assert gate.is_open and gate.threshold_pct is not None and 0.09 <= gate.threshold_pct <= 0.11
    assert gate.stats.mean_pct > 0.15
    chosen = gate.select(ev)
    assert chosen.sum() == (ev > gate.threshold_pct).sum()


def test_gate_is_closed_when_no_threshold_makes_money() -> None:
    rng = np.random.default_rng(2)
    ev = rng.uniform(0.0, 0.3, 500)
    net = -np.abs(rng.normal(0.2, 0.05, 500))  # the model says positive, the validation rows lose
    gate = fit_gate(ev, net, np.arange(500, dtype=np.int64))
    assert not gate.is_open and gate.threshold_pct is None and "closed" in gate.rationale
    assert not gate.select(ev).any()


def test_gate_never_goes_below_the_settings_margin() -> None:
    ev = np.linspace(-0.5, 0.5, 1001)
    net = np.full(1001, 0.3)  # every trade wins, even the ones the model calls negative
    gate = fit_gate(ev, net, np.arange(1001, dtype=np.int64), margin_pct=0.2, min_trades=10)
    assert gate.threshold_pct is not None and gate.threshold_pct >= 0.2


def test_gate_needs_enough_trades() -> None:
    ev = np.array([0.5, 0.4, -0.1, -0.2])
    net = np.array([1.0, 1.0, -1.0, -1.0])
    assert not fit_gate(ev, net, np.arange(4, dtype=np.int64), min_trades=3).is_open
    assert fit_gate(ev, net, np.arange(4, dtype=np.int64), min_trades=2).is_open
