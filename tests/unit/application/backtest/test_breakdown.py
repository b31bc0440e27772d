"""The report's breakdowns: pairs, exit reasons, months, the plain sentence about a blocked account, and
the buy-and-hold benchmark over the same minutes."""

from __future__ import annotations

import numpy as np
import pytest

from application.backtest.breakdown import (
    RunTrades,
    blocked_from,
    by_exit_reason,
    by_month,
    by_pair,
    monthly_equity_change_pct,
)
from application.backtest.buy_and_hold import buy_and_hold_curve
from application.backtest.market_grid import BacktestMarket
from application.backtest.refusals import Refusal
from domain.features import KlineArrays
from domain.position import CompletedTrade, ExitReason
from domain.time_units import DAY_MS
from domain.time_units import day_start_ms as day_ms

MARCH, APRIL = day_ms("2026-03-30"), day_ms("2026-04-02")


def _trade(symbol: str, exit_price: float, when: int, reason: ExitReason) -> CompletedTrade:
    return CompletedTrade(symbol, 100.0, exit_price, 0.1, when, when + 60_000, 0.02, reason)


TRADES = (_trade("AAAUSDT", 101.0, MARCH, ExitReason.TP), _trade("AAAUSDT", 99.0, APRIL, ExitReason.SL),
          _trade("BBBUSDT", 99.5, APRIL + 1000, ExitReason.TIMEOUT))
RUN = RunTrades("model", TRADES, ((MARCH - 1, 100.0), (APRIL - 1, 100.08), (APRIL + DAY_MS, 98.96)))


def test_pairs_and_exit_reasons_add_up_to_the_trades() -> None:
    pairs = by_pair([RUN])
    assert [(r[1], r[2]) for r in pairs] == [("AAAUSDT", "2"), ("BBBUSDT", "1")]
    assert pairs[0][3] == "50.0%" and pairs[0][4] == f"{0.1 - 0.1 - 0.04:+.4f}"
    reasons = {r[1]: r for r in by_exit_reason([RUN])}
    assert set(reasons) == {"TP", "SL", "TIMEOUT"} and reasons["TP"][3] == "100.0%"


def test_months_use_the_exit_month_and_that_month_s_first_equity() -> None:
    months = by_month([RUN])
    assert [(r[1], r[2]) for r in months] == [("2026-03", "1"), ("2026-04", "2")]
    april_pnl = (99.0 - 100.0) * 0.1 - 0.02 + (99.5 - 100.0) * 0.1 - 0.02
    assert months[1][5] == f"{april_pnl / 100.08:+.2%}"
    change = dict(monthly_equity_change_pct(RUN.equity))
    assert change["2026-03"] == pytest.approx(0.0)
    assert change["2026-04"] == pytest.approx((98.96 / 100.0 - 1) * 100)


def test_a_blocked_account_is_said_only_after_enough_refusals_of_one_kind() -> None:
    after = APRIL + 2 * DAY_MS
    reason = "size 4.00 USDT (min of ...) is below the minimum 5.00 USDT"
    small = [Refusal(after + i * 60_000, "AAAUSDT", reason) for i in range(12)]
    sentence = blocked_from(RunTrades("model", TRADES, RUN.equity, small))
    assert sentence is not None and "2026-04-04 00:00" in sentence and "too small to trade" in sentence
    assert blocked_from(RunTrades("model", TRADES, RUN.equity, small[:3])) is None
    mixed = [*small, Refusal(after + DAY_MS, "AAAUSDT", "1 positions open, the maximum is 1")]
    assert blocked_from(RunTrades("model", TRADES, RUN.equity, mixed)) is None


def test_buy_and_hold_splits_the_capital_equally_and_holds_cash_until_a_pair_s_first_bar() -> None:
    start, n = day_ms("2024-01-01"), 10
    times = start + 60_000 * np.arange(n, dtype=np.int64)
    rising = np.linspace(100.0, 200.0, n)
    klines = {"AAAUSDT": KlineArrays(times, rising, rising, rising, rising, np.ones(n)),
              "BBBUSDT": KlineArrays(times[5:], np.full(5, 10.0), np.full(5, 10.0), np.full(5, 10.0),
                                     np.full(5, 10.0), np.ones(5))}
    market = BacktestMarket.build(klines)
    curve = buy_and_hold_curve(market, 0, 1000.0, 0.001)
    assert len(curve) == n and curve[0] == (market.close_ms(0), pytest.approx(999.0))
    assert curve[-1][1] == pytest.approx(999.0 * (2.0 + 1.0) / 2)
    assert len(buy_and_hold_curve(market, 0, 1000.0, 0.0, max_points=3)) <= 5
