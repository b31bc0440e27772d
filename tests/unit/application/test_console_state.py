"""The console's read model and controls, on the whole loop wired on fakes."""

from __future__ import annotations

import pytest
from tests.support.fakes import T0, FakeModel, good_until, trade_at
from tests.support.harness import SYMBOL, Harness, build, feed

from application.console_state import ConsoleState
from application.recent_trades import RecentTrades
from domain.position import ExitReason
from ports.console import UnknownPosition


def console_for(h: Harness) -> tuple[ConsoleState, RecentTrades]:
    trades = RecentTrades(h.journal)
    h.loop.account._journal = trades  # the container wraps the journal before the loop is built
    return ConsoleState(h.loop, trades, h.clock, venue="PAPER"), trades


async def test_the_snapshot_shows_the_open_position_with_its_protection_and_the_risk_counts() -> None:
    h = build(model=FakeModel(good_until(T0 + 1_000)))
    console, _ = console_for(h)
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))

    snap = console.snapshot()
    assert [p.symbol for p in snap.positions] == [SYMBOL]
    assert snap.positions[0].oco_list_id >= 0 and snap.positions[0].last_price == 1.0
    assert snap.risk.trades_today == 1 and snap.risk.trades_last_hour == 1 and snap.risk.open_positions == 1
    assert snap.mode == "backtest" and snap.venue == "PAPER" and snap.running and not snap.feed.stale
    assert snap.equity == pytest.approx(100.0, abs=0.5) and snap.equity_curve[-1][1] == snap.equity
    assert any("Signal: BUY" in d.text for d in snap.decisions)


async def test_pausing_entries_stops_new_trades_and_resuming_lets_them_in() -> None:
    h = build()
    console, _ = console_for(h)
    await h.loop.start()
    console.pause_entries()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100), trade_at(SYMBOL, 1.0, T0 + 5_000))
    assert h.exchange.orders_placed() == [] and console.snapshot().entries_paused

    console.resume_entries()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 9_000))
    assert [p.symbol for p in console.snapshot().positions] == [SYMBOL]


async def test_closing_one_position_sells_it_at_the_next_tick_and_counts_the_trade() -> None:
    h = build(model=FakeModel(good_until(T0 + 1_000)))
    console, trades = console_for(h)
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    with pytest.raises(UnknownPosition):
        console.close_position("XYZUSDT")

    assert "closing" in console.close_position(SYMBOL.lower())
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 3_000))

    snap = console.snapshot()
    assert snap.positions == () and snap.trade_count == 1 == trades.count
    assert [t.exit_reason for t in snap.trades] == [ExitReason.MANUAL]


async def test_stop_and_the_kill_switch_reset() -> None:
    h = build()
    console, _ = console_for(h)
    await h.loop.start()
    assert console.reset_kill_switch() == "the kill switch is not active"
    h.risk.update_equity(10.0, T0)  # a 90% drawdown fires the switch
    assert console.snapshot().risk.kill_switch_active
    console.stop_bot()
    assert console.reset_kill_switch().startswith("kill switch reset")
    snap = console.snapshot()
    assert not snap.risk.kill_switch_active and not snap.running and "operator" in (snap.stopped_reason or "")
    await h.loop.stop()
