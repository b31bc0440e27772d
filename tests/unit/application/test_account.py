"""Equity counts every base unit the bot holds, and the trades' PnL explains every change of it.

A coarse lot step (1 ABC ~ 1 USDT) makes each buy leave almost a whole step unsold after the fee: the
dust that a 1000 USDT backtest once lost 112 USDT of equity to, without any trade showing it.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from tests.support.fakes import T0, rules_for, trade_at
from tests.support.harness import SYMBOL, Harness, build, feed

from domain.position import ExitReason

COARSE = replace(rules_for(SYMBOL), step_size=Decimal(1), min_qty=Decimal(1))


async def flat_equity(h: Harness) -> float:
    """Equity once every trade is settled (no position open), with fresh balances."""
    assert h.loop.positions.positions == {}
    await h.loop.account.refresh()
    return h.loop.account.equity(h.loop.positions.marked_value(h.loop.memory.current_price))


async def test_equity_marks_the_dust_and_trade_pnl_plus_the_dust_explain_every_change() -> None:
    h = build(rules={SYMBOL: COARSE})
    await h.loop.start()
    dust = h.loop.dust
    before, pnl_before, unrealized_before = await flat_equity(h), 0.0, 0.0
    assert before == 100.0
    t = T0
    # Buy at p, then the take-profit fills (or the stop) and the price drifts before the next round.
    for price, exit_at in [(1.0, 1.0031), (1.2, 1.2038), (0.9, 0.8958), (1.1, 1.1035)]:
        t += 10_000
        await feed(h, trade_at(SYMBOL, price, t), trade_at(SYMBOL, exit_at, t + 1_200))
        after = await flat_equity(h)
        held = h.exchange.free["ABC"] + h.exchange.locked["ABC"]
        mark = h.loop.memory.current_price(SYMBOL)
        assert mark == exit_at and held > 0 and dust.quantity(SYMBOL) == held
        # Equity == quote balance + every base unit held, marked at the last price.
        assert after == pytest.approx(float(h.usdt()) + float(held) * mark, abs=1e-9)
        # Its change == the trades' PnL + the change in the dust's unrealized result (value - cost).
        pnl = sum(trade.pnl_usdt for trade in h.journal.records)
        unrealized = h.loop.account.dust_value() - h.loop.account.dust_cost()
        explained = (pnl - pnl_before) + (unrealized - unrealized_before)
        assert after - before == pytest.approx(explained, abs=1e-9)
        before, pnl_before, unrealized_before = after, pnl, unrealized
    await h.loop.stop()
    reasons = [trade.exit_reason for trade in h.journal.records]
    assert reasons == [ExitReason.TP, ExitReason.TP, ExitReason.SL, ExitReason.TP]
    # The dust never grows beyond one step: each protection sells what the fee left the time before. The
    # second buy (16 ABC, 15.984 after the fee) sold 16 thanks to the 0.98 dust of the first (else 15).
    assert dust.quantity(SYMBOL) < COARSE.step_size
    assert [trade.quantity for trade in h.journal.records][:2] == [19.0, 16.0]
