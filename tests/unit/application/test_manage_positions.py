"""Managing positions: OCO fills found by polling, bot exits (cancel then sell), races and retries."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from tests.support.desk import RETRY, RULES, Desk, S
from tests.support.fakes import T0, good
from tests.support.harness import POLICY, THRESHOLDS
from tests.support.logs import Logs

from application.open_position import Opened, OpenPosition
from application.trading_config import ExecutionConfig
from domain.orders import OrderType
from domain.position import ExitReason
from domain.signal import generate_signals
from domain.values import Side
from ports.errors import ExchangeUnavailable, OrderRejected

D = Decimal


async def test_stop_loss_fill_is_found_by_polling_at_a_bounded_rate() -> None:
    desk = Desk()
    await desk.open()
    await desk.price(0.9955, after_ms=1_000)  # the stop (0.996) triggers: the leg sells at 0.9955
    assert [t.exit_reason for t in desk.closed] == [ExitReason.SL]
    assert desk.closed[0].exit_price == 0.9955
    assert abs(desk.closed[0].pnl_usdt - desk.cash_gain()) < 1e-9
    assert desk.manager.positions == {} and desk.exchange.locked["ABC"] == 0
    polls = desk.exchange.calls.count("get_order_list")
    await desk.manager.on_tick(desk.clock.now + 100)
    assert desk.exchange.calls.count("get_order_list") == polls  # nothing left to poll


async def test_polls_are_bounded_while_the_oco_rests() -> None:
    desk = Desk()
    await desk.open()
    for _ in range(20):  # 20 price updates in 2 s
        await desk.price(1.001, after_ms=100)
    assert 1 <= desk.exchange.calls.count("get_order_list") <= 2


async def test_timeout_cancels_the_oco_then_sells_at_market(logs: Logs) -> None:
    desk = Desk()
    await desk.open()
    desk.exchange.set_price(S, "1.001")
    await desk.manager.on_tick(T0 + 300_000)
    calls = [c for c in desk.exchange.calls if c in ("cancel_order_list", "place_order")]
    assert calls[-2:] == ["cancel_order_list", "place_order"]
    sale = desk.exchange.orders_placed()[-1]
    assert sale.side is Side.SELL and sale.type is OrderType.MARKET and sale.quantity == D("19.98")
    (trade,) = desk.closed
    assert trade.exit_reason is ExitReason.TIMEOUT and trade.exit_price == 1.001
    assert abs(trade.pnl_usdt - desk.cash_gain()) < 1e-9
    assert logs.having("Position closed", "INFO")  # a planned exit; only an unprotected one warns


async def test_a_leg_that_fills_during_the_cancel_is_the_exit() -> None:
    desk = Desk()
    await desk.open()
    desk.exchange.before_cancel_list = lambda: desk.exchange.set_price(S, "1.0031")  # TP fills first
    await desk.manager.close(S, ExitReason.TIMEOUT, T0 + 300_000)
    (trade,) = desk.closed
    assert trade.exit_reason is ExitReason.TP and trade.exit_price == 1.003
    assert [r.side for r in desk.exchange.orders_placed()] == [Side.BUY]  # no market sale on top
    assert abs(trade.pnl_usdt - desk.cash_gain()) < 1e-9


async def test_trailing_stop_exit() -> None:
    trailing = replace(POLICY, take_profit_pct=0.01, trailing_activation_pct=0.002,
                       trailing_distance_pct=0.001)
    desk = Desk(trailing, replace(THRESHOLDS, take_profit_pct=0.01))
    await desk.open()
    await desk.price(1.004, after_ms=1_000)  # arms the trailing stop at 1.004 x 0.999
    assert desk.closed == []
    await desk.price(1.0025, after_ms=1_000)
    (trade,) = desk.closed
    assert trade.exit_reason is ExitReason.TRAILING and trade.exit_price == 1.0025


async def test_a_failed_sale_stays_pending_and_is_retried_once_with_the_same_id() -> None:
    desk = Desk()
    await desk.open()
    desk.exchange.lose_next_response("place_order", times=2)  # sold, but both answers lost
    with pytest.raises(ExchangeUnavailable):
        await desk.manager.close(S, ExitReason.TIMEOUT, T0 + 300_000)
    assert desk.closed == [] and S in desk.manager.positions
    await desk.manager.on_tick(T0 + 301_000)
    (trade,) = desk.closed
    assert trade.exit_reason is ExitReason.TIMEOUT
    sales = [r for r in desk.exchange.orders_placed() if r.side is Side.SELL]
    assert len(sales) == 1  # the retry reused the client id: one sale only
    assert desk.exchange.free["ABC"] < RULES.step_size


async def test_an_oco_cancelled_outside_the_bot_leaves_the_position_to_be_closed_at_market() -> None:
    desk = Desk()
    await desk.open()
    position = desk.manager.positions[S]
    await desk.exchange.cancel_order_list(S, position.oco_list_id)  # someone cancelled it by hand
    await desk.manager.poll(S, T0 + 5_000)
    assert desk.manager.positions[S].oco_list_id == -1
    await desk.manager.on_tick(T0 + 6_000)
    (trade,) = desk.closed
    assert trade.exit_reason is ExitReason.UNPROTECTED


async def test_close_all_closes_every_position() -> None:
    desk = Desk()
    await desk.open()
    assert await desk.manager.close_all(ExitReason.KILL_SWITCH, T0 + 1_000) == []
    assert [t.exit_reason for t in desk.closed] == [ExitReason.KILL_SWITCH]
    assert desk.exchange.free["ABC"] < RULES.step_size and not await desk.exchange.open_orders()


async def test_a_gap_below_the_stop_limit_is_closed_at_market_by_the_timeout(logs: Logs) -> None:
    desk = Desk()
    await desk.open()
    await desk.price(0.99, after_ms=1_000)  # below the stop-limit (0.994): the stop leg rests unfilled
    assert desk.closed == [] and S in desk.manager.positions
    await desk.price(0.99, after_ms=299_000)
    (trade,) = desk.closed
    assert trade.exit_reason is ExitReason.TIMEOUT and trade.exit_price == 0.99
    assert desk.exchange.free["ABC"] < RULES.step_size and not await desk.exchange.open_orders()


async def test_a_lost_sale_handed_over_is_asked_again_not_repeated() -> None:
    desk = Desk()
    desk.exchange.fail_next("place_oco", OrderRejected("rejected"))
    original = desk.exchange.place_order
    sales = 0

    async def sale_answers_lost(request):  # type: ignore[no-untyped-def]
        nonlocal sales
        report = await original(request)
        if request.side is Side.SELL and sales < 2:  # the unprotected sale executes, both answers lost
            sales += 1
            raise ExchangeUnavailable("timeout")
        return report

    desk.exchange.place_order = sale_answers_lost  # type: ignore[method-assign]
    opener = OpenPosition(desk.exchange, desk.clock, ExecutionConfig(retry=RETRY), POLICY, desk.fees, "paper")
    outcome = await opener(generate_signals([good(S, T0)], {S: 1.0}, THRESHOLDS, ())[0], 20.0, RULES)
    assert isinstance(outcome, Opened) and outcome.lost_sale is not None
    desk.manager.add(outcome.position, outcome.lost_sale)
    await desk.manager.on_tick(T0 + 1_000)
    (trade,) = desk.closed
    assert trade.exit_reason is ExitReason.UNPROTECTED and trade.quantity == 19.98
    assert len([r for r in desk.exchange.orders_placed() if r.side is Side.SELL]) == 1
