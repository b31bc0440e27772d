"""Opening a position: refuse the unsellable, buy once, protect what was received or sell it at once."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from tests.support.desk import BTC, RULES, S, setup, signal
from tests.support.logs import Logs

from application.open_position import ClosedAtOnce, EntryPending, NotOpened, Opened
from application.protection import min_entry_quote
from application.trading_config import ExecutionConfig
from domain.orders import Fill, OcoRequest, OrderReport, OrderStatus, OrderType
from domain.position import ExitReason
from domain.rules import SymbolRules
from domain.values import BookTop, Side
from ports.errors import ExchangeUnavailable, OrderRejected

D = Decimal


async def test_market_buy_then_oco_over_the_quantity_received() -> None:
    open_position, exchange, _ = setup()
    outcome = await open_position(signal(), 20.0, RULES)
    assert isinstance(outcome, Opened)
    buy, oco = exchange.requests
    assert buy.type is OrderType.MARKET and buy.quote_quantity == D("20")  # type: ignore[union-attr]
    assert isinstance(oco, OcoRequest)
    assert oco.quantity == D("19.98")  # 20 bought, 0.02 taken as commission in ABC
    assert (oco.take_profit_price, oco.stop_price) == (D("1.003"), D("0.996"))
    assert oco.stop_limit_price == D("0.994")
    position = outcome.position
    assert position.quantity == 19.98 and position.entry_price == 1.0
    assert position.entry_fee_usdt == pytest.approx(0.02)
    assert position.oco_list_id >= 0 and exchange.locked["ABC"] == D("19.98")


async def test_an_entry_whose_exit_could_not_be_sold_is_refused_before_buying() -> None:
    open_position, exchange, _ = setup()
    outcome = await open_position(signal(), 5.0, RULES)  # 5 USDT buys < 5 USDT worth at the stop
    assert isinstance(outcome, NotOpened) and "not be sellable" in outcome.reason
    assert exchange.requests == []
    not_trading = replace(RULES, status="BREAK")
    assert isinstance(await open_position(signal(), 20.0, not_trading), NotOpened)
    assert exchange.requests == []


async def test_a_lost_response_is_retried_with_the_same_id_and_buys_once() -> None:
    open_position, exchange, clock = setup()
    exchange.lose_next_response("place_order")
    outcome = await open_position(signal(), 20.0, RULES)
    assert isinstance(outcome, Opened)
    buys = [r for r in exchange.orders_placed() if r.side is Side.BUY]
    assert len(buys) == 1 and exchange.calls.count("place_order") == 2
    assert exchange.free["USDT"] == D("80") and clock.slept == [0.5]


async def test_oco_rejected_sells_what_was_bought_at_once(logs: Logs) -> None:
    open_position, exchange, _ = setup()
    exchange.fail_next("place_oco", OrderRejected("Filter failure: PERCENT_PRICE_BY_SIDE", code=-1013))
    outcome = await open_position(signal(), 20.0, RULES)
    assert isinstance(outcome, ClosedAtOnce) and outcome.remainder is None
    sale = exchange.orders_placed()[-1]
    assert sale.side is Side.SELL and sale.type is OrderType.MARKET and sale.quantity == D("19.98")
    trade = outcome.trade
    assert trade.exit_reason is ExitReason.UNPROTECTED and trade.quantity == 19.98
    assert abs(trade.pnl_usdt - float(exchange.free["USDT"] - 100)) < 1e-9  # both fees counted
    assert exchange.free["ABC"] < RULES.step_size  # only dust left
    assert logs.having("unprotected", "ERROR")


async def test_if_even_the_sale_fails_the_position_is_handed_over_unprotected() -> None:
    open_position, exchange, _ = setup()
    exchange.fail_next("place_oco", OrderRejected("rejected"))
    buy = exchange.place_order

    async def sales_fail(request):  # type: ignore[no-untyped-def]
        if request.side is Side.SELL:
            raise ExchangeUnavailable("down")
        return await buy(request)

    exchange.place_order = sales_fail  # type: ignore[method-assign]
    outcome = await open_position(signal(), 20.0, RULES)
    assert isinstance(outcome, Opened) and outcome.position.oco_list_id == -1
    assert exchange.free["ABC"] == D("19.98")  # still held, flagged for ManagePositions to sell


async def test_a_partial_fill_is_protected_on_what_executed() -> None:
    open_position, exchange, clock = setup()
    exchange.free["ABC"] = D("7.992")  # what a partly filled market buy delivered
    report = OrderReport(S, 77, "cse-x", Side.BUY, OrderType.MARKET, OrderStatus.EXPIRED, D("20"), D("8"),
                         D("8.0"), time_ms=clock.now_ms(),
                         fills=(Fill(D("1.0"), D("8"), D("0.008"), "ABC"),))
    outcome = await open_position.protect(signal(), report, RULES)
    assert isinstance(outcome, Opened)
    assert outcome.position.quantity == 7.99 and exchange.requests[-1].quantity == D("7.99")
    assert isinstance(await open_position.protect(signal(), replace(report, executed_quantity=D(0),
                                                                    cumulative_quote=D(0), fills=()), RULES),
                      NotOpened)


async def test_a_fee_paid_in_bnb_is_valued_through_the_price_hook() -> None:
    open_position, exchange, clock = setup()
    exchange.free["ABC"] = D("20")
    report = OrderReport(S, 78, "cse-y", Side.BUY, OrderType.MARKET, OrderStatus.FILLED, D("20"), D("20"),
                         D("20"), time_ms=clock.now_ms(),
                         fills=(Fill(D("1.0"), D("20"), D("0.00005"), "BNB"),))
    outcome = await open_position.protect(signal(), report, RULES)
    assert isinstance(outcome, Opened)
    assert outcome.position.quantity == 20.0  # nothing taken from the base
    assert outcome.position.entry_fee_usdt == pytest.approx(0.00005 * 600)


async def test_maker_entry_rests_at_the_bid_and_is_protected_once_filled() -> None:
    open_position, exchange, clock = setup(maker_entries=True, maker_entry_timeout_ms=20_000)
    top = BookTop(S, 0.9995, 100, 1.0005, 100)
    pending = await open_position(signal(), 20.0, RULES, top)
    assert isinstance(pending, EntryPending)
    order = exchange.orders_placed()[0]
    assert order.type is OrderType.LIMIT_MAKER and order.price == D("0.9995")
    clock.now += 5_000
    still = await open_position.resolve(pending, RULES)
    assert isinstance(still, EntryPending)
    exchange.set_price(S, "0.9990")  # the market comes down to our bid
    outcome = await open_position.resolve(still, RULES)
    assert isinstance(outcome, Opened) and outcome.position.entry_price == 0.9995
    assert isinstance(exchange.requests[-1], OcoRequest)


async def test_maker_entry_is_cancelled_after_its_timeout() -> None:
    open_position, exchange, clock = setup(maker_entries=True, maker_entry_timeout_ms=20_000)
    pending = await open_position(signal(), 20.0, RULES, BookTop(S, 0.9995, 100, 1.0005, 100))
    assert isinstance(pending, EntryPending)
    clock.now += 20_000
    outcome = await open_position.resolve(pending, RULES)
    assert isinstance(outcome, NotOpened) and "timeout" in outcome.reason
    assert exchange.calls.count("cancel_order") == 1 and exchange.free["USDT"] == D("100")


# -- small capital: what the fee and the lot steps leave ---------------------------------------------------

async def test_a_small_buy_whose_exit_could_not_be_sold_is_refused_before_buying() -> None:
    # 6 USDT of BTC at 60,000 (a fill 0.5% higher buys 0.00009, the fee in BTC floors it to 0.00008 to
    # sell: 4.8 USDT, less at the stop): no buy at all, and the reason says which filter.
    open_position, exchange, _ = setup("30", BTC, "60000")
    outcome = await open_position(signal(60_000.0, symbol="BTCUSDT"), 6.0, BTC)
    assert isinstance(outcome, NotOpened) and "not be sellable" in outcome.reason
    assert "NOTIONAL" in outcome.reason
    assert exchange.requests == []


@pytest.mark.parametrize(("rules", "price"), [(BTC, 60_000.0), (BTC, 64_321.5), (RULES, 1.0), (RULES, 3.7)])
@pytest.mark.parametrize("fill_shift", [-0.005, 0.0, 0.005])
async def test_an_entry_of_the_minimum_size_is_always_protected(rules: SymbolRules, price: float,
                                                                fill_shift: float) -> None:
    """The risk manager sizes with min_entry_quote: a buy of exactly that, filled anywhere in the band,
    is protected by a valid OCO (never refused by the exchange, never left unprotected)."""
    execution = ExecutionConfig()
    stop = 0.004
    minimum = min_entry_quote(rules, price, execution.taker_fee_rate, stop, execution.stop_limit_buffer_pct,
                              execution.entry_fill_band_pct)
    fill = rules.round_price(D(repr(price * (1 + fill_shift))))
    open_position, _, _ = setup("100", rules, str(fill))
    outcome = await open_position(signal(price, symbol=rules.symbol), minimum, rules)
    assert isinstance(outcome, Opened) and outcome.position.oco_list_id >= 0, outcome
