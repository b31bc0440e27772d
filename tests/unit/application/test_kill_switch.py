"""Losses trip the daily limit, then the kill switch: everything is closed and no order follows."""

from __future__ import annotations

from dataclasses import replace

from tests.support.fakes import T0, FakeModel, trade_at
from tests.support.harness import LIMITS, POLICY, SYMBOL, THRESHOLDS, Harness, build, config, feed
from tests.support.logs import Logs

from domain.position import ExitReason
from domain.time_units import DAY_MS

# Wide stops and big positions so that a few losing trades matter: each stop-loss costs ~2.6% of equity.
LOSSY = replace(LIMITS, max_position_pct=0.5, max_loss_per_trade_pct=0.1, max_daily_loss_pct=0.05,
                max_drawdown_pct=0.11)
WIDE = config(thresholds=replace(THRESHOLDS, stop_loss_pct=0.05, take_profit_pct=0.05, max_position_pct=0.5),
              exit_policy=replace(POLICY, stop_loss_pct=0.05, take_profit_pct=0.05))


async def losing_round(h: Harness, t: int) -> None:
    """Buy at 1.0 (the scan always likes it), then the stop-loss fills at 0.949."""
    await feed(h, trade_at(SYMBOL, 1.0, t), trade_at(SYMBOL, 0.949, t + 1_200))


async def test_losses_trip_the_daily_limit_then_the_kill_switch_closes_everything(logs: Logs) -> None:
    h = build(model=FakeModel(), limits=LOSSY, loop_config=WIDE)
    await h.loop.start()

    await losing_round(h, T0 + 100)
    await losing_round(h, T0 + 2_500)
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.SL, ExitReason.SL]
    buys = len(h.exchange.orders_placed())
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 5_000))  # a good signal, but the day's losses are too big
    assert logs.having("daily loss limit reached", "INFO")
    assert len(h.exchange.orders_placed()) == buys and h.loop.positions.positions == {}

    await losing_round(h, T0 + DAY_MS)  # a new UTC day: trading resumes, and loses again
    await losing_round(h, T0 + DAY_MS + 2_500)
    assert not h.risk.kill_switch_active and len(h.journal.records) == 4

    day3 = T0 + 2 * DAY_MS
    await feed(h, trade_at(SYMBOL, 1.0, day3))
    assert SYMBOL in h.loop.positions.positions
    await feed(h, trade_at(SYMBOL, 0.955, day3 + 500))  # above the stop, but equity is marked down

    assert h.risk.kill_switch_active and h.kills and h.loop.stopped
    assert (h.loop.stopped_reason or "").startswith("kill switch")
    assert logs.having("KILL SWITCH ACTIVATED", "CRITICAL")
    assert h.journal.records[-1].exit_reason is ExitReason.KILL_SWITCH
    assert h.loop.positions.positions == {} and await h.exchange.open_orders() == []
    step = h.exchange.rules[SYMBOL].step_size  # each buy leaves less than one lot step unsellable
    assert h.exchange.locked["ABC"] == 0 and h.exchange.free["ABC"] < step * len(h.journal.records)

    requests, batches = len(h.exchange.requests), len(h.model.batches)
    await feed(h, *(trade_at(SYMBOL, 1.0, day3 + 3_000 * k) for k in range(1, 5)))
    await h.loop.stop()
    assert len(h.exchange.requests) == requests  # not one order after the kill switch
    assert len(h.model.batches) == batches
    # Every USDT spent is in the journal or in the dust (left by the fees and steps, not yet charged to a
    # trade): the trades' PnL is the change in cash plus what the dust cost.
    assert h.loop.dust.quantity(SYMBOL) == h.exchange.free["ABC"] > 0
    cash_change = float(h.usdt() - 100)
    assert abs(sum(t.pnl_usdt for t in h.journal.records) - (cash_change + h.loop.account.dust_cost())) < 1e-9
