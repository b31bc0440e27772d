"""Exits and what cannot be sold: dust taken along, unsellable remainders, maker or taker take-profit."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from tests.support.desk import RULES, Desk, S
from tests.support.fakes import T0
from tests.support.logs import Logs

from application.fills import FeeModel
from application.holdings import Lot
from domain.orders import OrderReport, OrderStatus, OrderType
from domain.position import ExitReason
from domain.values import Side

D = Decimal


async def test_a_position_worth_less_than_the_min_notional_becomes_dust_once(logs: Logs) -> None:
    desk = Desk()
    await desk.open()
    await desk.price(0.2, after_ms=1_000)  # a crash below the stop-limit: the stop leg rests unfilled
    await desk.manager.on_tick(T0 + 300_000)  # timeout: 19.98 x 0.2 < 5 USDT, no market sale possible
    assert desk.manager.positions == {} and desk.closed == []
    assert desk.manager.dust.quantity(S) == D("19.98")
    assert desk.manager.dust.value(lambda _: None) == pytest.approx(19.98 * 0.2)
    assert [r.side for r in desk.exchange.orders_placed()] == [Side.BUY]  # nothing the exchange refuses
    calls = len(desk.exchange.calls)
    for k in range(1, 4):
        await desk.manager.on_tick(T0 + 300_000 + k * 1_000)
    assert len(desk.exchange.calls) == calls  # not retried, tick after tick
    (warning,) = logs.having("cannot be sold", "WARNING")
    assert "3.9960" in warning["message"]  # its value, in USDT
    assert not logs.having("retried next tick")


async def test_a_sale_refused_for_its_notional_is_not_retried_forever(logs: Logs) -> None:
    desk = Desk()
    await desk.open()
    await desk.price(0.2605, after_ms=1_000)  # 19.98 x 0.2605 = 5.2 USDT: the bot expects a sale to pass
    desk.exchange.set_price(S, "0.24")  # but the market moves on before the order arrives
    await desk.manager.on_tick(T0 + 300_000)
    assert desk.manager.positions == {} and desk.manager.dust.quantity(S) == D("19.98")
    sales = len(desk.exchange.orders_placed())
    await desk.manager.on_tick(T0 + 301_000)
    assert len(desk.exchange.orders_placed()) == sales
    assert logs.having("cannot be sold", "WARNING") and not logs.having("retried next tick")


async def test_a_market_exit_sells_the_dust_along_and_charges_its_cost() -> None:
    desk = Desk()
    await desk.open()
    desk.exchange.free["ABC"] += D("0.5")  # an earlier remainder, bought at 0.9 with a 0.0005 fee
    desk.manager.dust.add(S, Lot(D("0.5"), 0.9, 0.0005), 0.9)
    desk.exchange.set_price(S, "1.001")
    await desk.manager.on_tick(T0 + 300_000)
    (trade,) = desk.closed
    assert trade.quantity == 20.48 and trade.entry_price == 1.0  # 19.98 + the dust, the real fill price
    assert desk.exchange.orders_placed()[-1].quantity == D("20.48")
    assert desk.exchange.free["ABC"] == 0 and desk.manager.dust.quantity(S) == 0
    # The PnL is the cash it brought back less what every unit sold cost (the dust's cost included).
    assert trade.pnl_usdt == pytest.approx(desk.cash_gain() - (0.5 * 0.9 + 0.0005), abs=1e-9)


async def test_a_remainder_below_one_step_after_a_sale_stays_dust_with_its_cost() -> None:
    desk = Desk()
    await desk.open()
    position = desk.manager.positions[S]
    desk.manager.add(replace(position, quantity=19.985))  # e.g. a fee refund: half a step more than sold
    desk.exchange.free["ABC"] += D("0.005")
    await desk.manager.on_tick(T0 + 300_000)
    (trade,) = desk.closed
    assert trade.quantity == 19.98 and desk.manager.dust.quantity(S) == D("0.005")
    assert desk.manager.dust.cost() == pytest.approx(0.005 * 1.0 + position.entry_fee_usdt * 0.005 / 19.985)


# -- the take-profit leg: maker or taker ------------------------------------------------------------------
@pytest.mark.parametrize(("maker_take_profit", "exit_price", "exit_rate"), [(True, 1.003, 0.0002),
                                                                          (False, 1.0035, 0.001)])
async def test_the_take_profit_leg_pays_the_maker_or_the_taker_fee(maker_take_profit: bool, exit_price: float,
                                                                   exit_rate: float) -> None:
    """A LIMIT_MAKER rests at the target and pays the maker rate; a TAKE_PROFIT fires into the market
    (at the price that reached it) and pays the taker rate. The trade's PnL is the account's gain."""
    rules = replace(RULES, order_types=(*RULES.order_types, "TAKE_PROFIT"))
    desk = Desk(rules=rules, maker_fee=0.0002, maker_take_profit=maker_take_profit)
    await desk.open()
    await desk.price(1.0035, after_ms=1_000)
    (trade,) = desk.closed
    assert trade.exit_reason is ExitReason.TP and trade.exit_price == exit_price
    entry_fee = 0.02  # the market buy: taker
    assert trade.fees_usdt == pytest.approx(entry_fee + 19.98 * exit_price * exit_rate)
    assert trade.pnl_usdt == pytest.approx(desk.cash_gain(), abs=1e-9)


@pytest.mark.parametrize(("kind", "rate"), [(OrderType.LIMIT_MAKER, 0.0002), (OrderType.TAKE_PROFIT, 0.001),
                                            (OrderType.TAKE_PROFIT_LIMIT, 0.001),
                                            (OrderType.STOP_LOSS, 0.001)])
def test_a_leg_reported_without_fills_is_charged_by_its_type(kind: OrderType, rate: float) -> None:
    leg = OrderReport(S, 5, "leg", Side.SELL, kind, OrderStatus.FILLED, D("10"), D("10"), D("10.03"))
    assert FeeModel(0.001, 0.0002).fee_usdt(leg, RULES) == pytest.approx(10.03 * rate)
