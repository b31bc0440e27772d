"""Outcome labels against a plain per-trade reference loop, on real klines."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from domain.outcome import (
    EXIT_SL,
    EXIT_TIMEOUT,
    EXIT_TP,
    EXIT_TRAILING,
    ExitRules,
    TradeCosts,
    simulate_exits,
)


def reference_trade(o, h, lo, c, t, rules: ExitRules, costs: TradeCosts) -> tuple[float, int]:
    """One trade, bar by bar, written independently of the vectorised code."""
    entry = o[t + 1] * (1 + costs.slippage_pct)
    sl = entry * (1 - rules.stop_loss_pct)
    tp = entry * (1 + rules.take_profit_pct)
    highest = -math.inf
    for k in range(1, rules.timeout_bars + 1):
        j = t + k
        stop, trailing = sl, False
        if rules.trailing_activation_pct is not None and k - 1 >= max(rules.min_hold_bars, 1) \
                and highest >= entry * (1 + rules.trailing_activation_pct):
            candidate = highest * (1 - rules.trailing_distance_pct)
            if candidate > stop:
                stop, trailing = candidate, True
        if lo[j] <= stop:
            fill = min(stop, o[j]) if k > 1 else stop
            code = EXIT_TRAILING if trailing else EXIT_SL
            price, fee = fill * (1 - costs.slippage_pct), costs.exit_fee
            break
        if h[j] > tp:
            price, fee, code = tp, costs.take_profit_fee, EXIT_TP
            break
        if k == rules.timeout_bars:
            price, fee, code = c[j] * (1 - costs.slippage_pct), costs.exit_fee, EXIT_TIMEOUT
            break
        highest = max(highest, h[j])
    quote_in = 1.0
    base = quote_in / entry * (1 - costs.entry_fee)
    quote_out = base * price * (1 - fee)
    return (quote_out - quote_in) * 100, code


@pytest.fixture(scope="module")
def btc(sample_klines: Path) -> pd.DataFrame:
    frame = pd.read_csv(sample_klines)  # data/sample: four days of five pairs
    return frame[frame.symbol == "BTCUSDT"].reset_index(drop=True)


@pytest.mark.parametrize("rules", [
    ExitRules(0.003, 0.004, 5),
    ExitRules(0.002, 0.002, 3),
    ExitRules(0.004, 0.003, 8, trailing_activation_pct=0.001, trailing_distance_pct=0.0008, min_hold_bars=1),
])
def test_matches_the_reference_loop_on_real_bars(btc: pd.DataFrame, rules: ExitRules) -> None:
    o, h, lo, c = (btc[col].to_numpy(float) for col in ("open", "high", "low", "close"))
    costs = TradeCosts(entry_fee=0.001, take_profit_fee=0.00075, exit_fee=0.001, slippage_pct=0.0002)
    out = simulate_exits(o, h, lo, c, btc.open_time.to_numpy(np.int64), rules, costs)
    for t in range(0, len(btc) - rules.timeout_bars - 1, 7):
        expected, code = reference_trade(o, h, lo, c, t, rules, costs)
        assert out.net_return_pct[t] == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert out.exit_code[t] == code
    assert np.isnan(out.net_return_pct[-rules.timeout_bars:]).all()
    assert {EXIT_TP, EXIT_SL, EXIT_TIMEOUT} <= set(np.unique(out.exit_code))


def test_stop_is_assumed_first_when_one_bar_touches_both() -> None:
    o = np.array([100.0, 100.0, 100.0, 100.0])
    h = np.array([100.0, 100.5, 101.0, 100.0])
    lo = np.array([100.0, 99.0, 99.0, 100.0])
    c = np.array([100.0, 100.0, 100.0, 100.0])
    out = simulate_exits(o, h, lo, c, np.arange(4, dtype=np.int64) * 60_000, ExitRules(0.003, 0.004, 2),
                         TradeCosts(slippage_pct=0.0))
    assert out.exit_code[0] == EXIT_SL
    assert out.net_return_pct[0] < -0.4


def test_take_profit_needs_the_price_to_trade_through() -> None:
    o = np.array([100.0, 100.0, 100.0, 100.0])
    c = o.copy()
    lo = o - 0.01
    tp = 100.0 * (1 + 0.003)
    touch = simulate_exits(o, np.array([100.0, tp, tp, 100.0]), lo, c, np.arange(4, dtype=np.int64) * 60_000,
                           ExitRules(0.003, 0.004, 2), TradeCosts(slippage_pct=0.0))
    assert touch.exit_code[0] == EXIT_TIMEOUT
    through = simulate_exits(o, np.array([100.0, 100.31, 100.0, 100.0]), lo, c,
                             np.arange(4, dtype=np.int64) * 60_000, ExitRules(0.003, 0.004, 2),
                             TradeCosts(slippage_pct=0.0))
    assert through.exit_code[0] == EXIT_TP
    assert through.net_return_pct[0] == pytest.approx(((0.999 * 0.999) * 1.003 - 1) * 100)


def test_windows_across_a_gap_in_time_have_no_outcome() -> None:
    times = np.array([0, 60_000, 120_000, 600_000, 660_000, 720_000], dtype=np.int64)
    prices = np.full(6, 100.0)
    out = simulate_exits(prices, prices, prices, prices, times, ExitRules(0.003, 0.004, 2), TradeCosts())
    assert np.isnan(out.net_return_pct[[1, 2]]).all()  # their windows include the jump
    assert not np.isnan(out.net_return_pct[0]) and not np.isnan(out.net_return_pct[3])
