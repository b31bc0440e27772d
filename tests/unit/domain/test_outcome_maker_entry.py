"""A maker entry rests a limit buy at the signal bar's close: filled only when the next bar trades THROUGH
it (a touch may be queued behind others), at the limit, without slippage; no fill, no trade."""

from __future__ import annotations

import math

import numpy as np
import pytest

from domain.outcome import EXIT_SL, EXIT_TIMEOUT, EXIT_TP, ExitRules, TradeCosts, simulate_exits

RULES = ExitRules(take_profit_pct=0.01, stop_loss_pct=0.01, timeout_bars=2)
MAKER = TradeCosts(entry_fee=0.0, take_profit_fee=0.001, exit_fee=0.001, slippage_pct=0.0005,
                   maker_entry=True)
TAKER = TradeCosts(entry_fee=0.001, take_profit_fee=0.001, exit_fee=0.001, slippage_pct=0.0005)


def bars(lows: list[float], highs: list[float] | None = None, closes: list[float] | None = None):
    n = len(lows)
    o = np.full(n, 100.0)
    h = np.asarray(highs if highs is not None else [100.2] * n, dtype=np.float64)
    c = np.asarray(closes if closes is not None else [100.0] * n, dtype=np.float64)
    return o, h, np.asarray(lows, dtype=np.float64), c, np.arange(n, dtype=np.int64) * 60_000


def test_a_touch_of_the_limit_is_no_fill_and_no_trade() -> None:
    out = simulate_exits(*bars([99.9, 100.0, 99.9, 99.9]), RULES, MAKER)
    assert math.isnan(out.net_return_pct[0])  # bar 1's low 100.0 only touches the 100.0 bid


def test_a_trade_through_the_limit_fills_at_the_limit_without_slippage() -> None:
    out = simulate_exits(*bars([99.9, 99.99, 99.9, 99.9]), RULES, MAKER)
    assert out.exit_code[0] == EXIT_TIMEOUT
    exit_price = 100.0 * (1 - MAKER.slippage_pct)
    expected = ((1 - MAKER.entry_fee) * (1 - MAKER.exit_fee) * exit_price / 100.0 - 1) * 100
    assert out.net_return_pct[0] == pytest.approx(expected)


def test_no_take_profit_in_the_fill_bar_but_its_stop_may() -> None:
    through_and_up = simulate_exits(*bars([99.9, 99.5, 99.9, 99.9], highs=[100.2, 101.5, 100.2, 100.2]),
                                    RULES, MAKER)
    assert through_and_up.exit_code[0] == EXIT_TIMEOUT  # the high may have come before the fill
    through_and_down = simulate_exits(*bars([99.9, 98.9, 99.9, 99.9]), RULES, MAKER)
    assert through_and_down.exit_code[0] == EXIT_SL
    taker = simulate_exits(*bars([99.9, 99.5, 99.9, 99.9], highs=[100.2, 101.5, 100.2, 100.2]), RULES, TAKER)
    assert taker.exit_code[0] == EXIT_TP


def test_one_market_leg_of_slippage_in_a_maker_round_trip() -> None:
    assert MAKER.round_trip_pct == pytest.approx((0.0 + 0.001 + 0.0005) * 100)
    assert TAKER.round_trip_pct == pytest.approx((0.001 + 0.001 + 2 * 0.0005) * 100)
