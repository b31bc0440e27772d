"""Protecting what an entry bought: the dust sold along, what cannot be sold, the take-profit leg's
type, and an OCO whose answers were all lost."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from tests.support.desk import RULES, S, setup, signal
from tests.support.fakes import T0, ManualClock
from tests.support.logs import Logs

from application.holdings import DustLedger, Lot, holding
from application.open_position import ClosedAtOnce, NotOpened, Opened
from application.protect_entry import _holding_fee, exit_fractions
from domain.orders import Fill, ListStatus, OcoRequest, OrderReport, OrderStatus, OrderType
from domain.position import ExitPolicy, ExitReason, Position
from domain.values import Side
from ports.errors import ExchangeUnavailable

D = Decimal
POLICY = ExitPolicy(take_profit_pct=0.01, stop_loss_pct=0.01, timeout_sec=300)


def partial_buy(executed: str, clock: ManualClock) -> OrderReport:
    qty = D(executed)
    return OrderReport(S, 79, "cse-z", Side.BUY, OrderType.MARKET, OrderStatus.EXPIRED, D("20"), qty, qty,
                       time_ms=clock.now_ms(), fills=(Fill(D("1.0"), qty, qty * D("0.001"), "ABC"),))


async def test_an_unprotectable_and_unsellable_fill_becomes_dust_at_once(logs: Logs) -> None:
    dust = DustLedger()
    open_position, exchange, clock = setup(dust=dust)
    exchange.free["ABC"] = D("2.997")  # a market buy that ran out of liquidity after 3 units
    outcome = await open_position.protect(signal(), partial_buy("3", clock), RULES)
    assert isinstance(outcome, NotOpened) and "dust" in outcome.reason
    assert outcome.bought  # the loop counts the entry and re-reads the balances
    assert exchange.requests == []  # no OCO, no sale the exchange would refuse (and the bot retry)
    assert dust.quantity(S) == D("2.997") and dust.value(lambda _: 1.0) == pytest.approx(2.997)
    assert dust.cost() == pytest.approx(3.0)  # 2.997 units at 1.0 plus the fee paid for them
    (warning,) = logs.having("cannot be sold", "WARNING")
    assert "2.997" in warning["message"]


async def test_the_next_oco_sells_the_dust_along_and_keeps_its_cost() -> None:
    dust = DustLedger()
    open_position, exchange, clock = setup(dust=dust)
    exchange.free["ABC"] = D("2.997")
    await open_position.protect(signal(), partial_buy("3", clock), RULES)
    outcome = await open_position(signal(time_ms=T0 + 60_000), 20.0, RULES)
    assert isinstance(outcome, Opened)
    oco = exchange.requests[-1]
    assert isinstance(oco, OcoRequest) and oco.quantity == D("22.97")  # 19.98 bought + 2.997 dust, floored
    assert outcome.position.quantity == 22.97 and outcome.position.entry_price == 1.0
    assert dust.quantity(S) == D("0.007")
    spent = 3.0 + 20.0  # USDT paid for every ABC unit held: all of it is in the position or the dust
    assert outcome.position.cost_usdt + outcome.position.entry_fee_usdt + dust.cost() == pytest.approx(spent)


@pytest.mark.parametrize(("order_types", "expected"), [
    (RULES.order_types, OrderType.TAKE_PROFIT_LIMIT),
    ((*RULES.order_types, "TAKE_PROFIT"), OrderType.TAKE_PROFIT),
])
async def test_a_taker_take_profit_when_maker_take_profit_is_off(order_types: tuple[str, ...],
                                                                 expected: OrderType) -> None:
    rules = replace(RULES, order_types=order_types)
    open_position, exchange, _ = setup(rules=rules, maker_take_profit=False)
    assert isinstance(await open_position(signal(), 20.0, rules), Opened)
    oco = exchange.requests[-1]
    assert isinstance(oco, OcoRequest) and oco.take_profit_type is expected
    maker_side, _, _ = setup(rules=rules)
    assert isinstance(await maker_side(signal(), 20.0, rules), Opened)


async def test_an_oco_whose_every_answer_was_lost_is_found_and_adopted(logs: Logs) -> None:
    open_position, exchange, _ = setup()
    exchange.lose_next_response("place_oco", times=3)  # placed at the first try; all three answers lost
    outcome = await open_position(signal(), 20.0, RULES)
    assert isinstance(outcome, Opened) and outcome.position.oco_list_id >= 0
    listing = await exchange.get_order_list(S, outcome.position.oco_list_id)
    assert listing.status is ListStatus.EXECUTING and listing.list_client_id.startswith("cso-")
    assert [r.side for r in exchange.orders_placed()] == [Side.BUY]  # no market sale of a locked holding
    assert logs.having("adopted", "WARNING")


async def test_an_oco_never_placed_after_lost_answers_means_a_sale_at_once() -> None:
    open_position, exchange, _ = setup()
    exchange.fail_next("place_oco", *(ExchangeUnavailable("timeout") for _ in range(3)))
    outcome = await open_position(signal(), 20.0, RULES)
    assert isinstance(outcome, ClosedAtOnce) and outcome.trade.exit_reason is ExitReason.UNPROTECTED
    assert "open_orders" in exchange.calls  # it looked before selling


@pytest.mark.parametrize("lot", [Lot(D("22.97"), 1.0, 0.02), Lot(D("22.97"), 1.0123, 0.02),
                                 Lot(D("0"), 0.9, 0.0)])
def test_the_position_is_built_with_the_fee_holding_would_give_it(lot: Lot) -> None:
    base = Position(S, 1.0, 0.0, T0, 0.99, 1.01, 0.0, POLICY)
    assert _holding_fee(lot, 1.0) == holding(base, lot).entry_fee_usdt


def test_exit_fractions_are_each_signals_own() -> None:
    near, far = signal(), replace(signal(), take_profit_price=1.01, stop_loss_price=0.98)
    assert exit_fractions(near) == exit_fractions(near) != exit_fractions(far)
    assert exit_fractions(far) == (0.01, 0.02) and exit_fractions(near) == exit_fractions(signal())
