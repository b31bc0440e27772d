"""OCO lists: one leg fills, the other expires; stop-loss first within a bar; gaps; cancels; fees."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

import pytest

from domain.orders import ListStatus, OcoRequest, OrderRequest, OrderStatus, OrderType, TimeInForce
from domain.values import Candle, Side, Trade
from ports.errors import InsufficientBalance, OrderNotFound, OrderRejected

D = Decimal


def oco(qty: str = "10", tp: str = "101", stop: str = "99", stop_limit: str | None = "98.90",
        tp_type: OrderType = OrderType.LIMIT_MAKER, cid: str = "L1") -> OcoRequest:
    return OcoRequest("TESTUSDT", D(qty), D(tp), D(stop), None if stop_limit is None else D(stop_limit), cid,
                      take_profit_type=tp_type)


def bar(open_ms: int, o: float, h: float, low: float, c: float) -> Candle:
    return Candle("TESTUSDT", open_ms, o, h, low, c, 100.0)


def legs(engine, report):
    """(stop-loss leg, take-profit leg) as the engine reports them now."""
    now = engine.get_order_list(order_list_id=report.order_list_id)
    stop = next(o for o in now.orders if o.type in (OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT))
    take = next(o for o in now.orders if o is not stop)
    return now, stop, take


@pytest.fixture
def engine(make_engine):
    engine = make_engine({"TEST": D(10)})
    engine.observe_trade(Trade("TESTUSDT", 100.0, 1.0, 1_000, buyer_is_maker=False))
    return engine


def test_placing_an_oco_locks_the_base_once_for_both_legs(engine) -> None:
    report = engine.place_oco(oco(), 2_000)
    assert report.status is ListStatus.EXECUTING
    assert [o.type for o in report.orders] == [OrderType.STOP_LOSS_LIMIT, OrderType.LIMIT_MAKER]
    assert (engine.accounts.free("TEST"), engine.accounts.locked("TEST")) == (D(0), D(10))
    assert len(engine.open_orders("TESTUSDT")) == 2


def test_take_profit_fills_and_the_stop_leg_expires(engine) -> None:
    report = engine.place_oco(oco(), 2_000)
    engine.observe_trade(Trade("TESTUSDT", 101.0, 50.0, 3_000, buyer_is_maker=False))  # at TP: not through
    assert legs(engine, report)[0].status is ListStatus.EXECUTING
    engine.observe_trade(Trade("TESTUSDT", 101.01, 50.0, 4_000, buyer_is_maker=False))
    done, stop, take = legs(engine, report)
    assert done.status is ListStatus.ALL_DONE
    assert (take.status, stop.status) == (OrderStatus.FILLED, OrderStatus.EXPIRED)
    assert take.fills[0].price == D(101) and take.fills[0].is_maker
    assert done.filled_leg == take
    proceeds = D(1010)
    assert engine.accounts.free("USDT") == proceeds - proceeds * D("0.001")
    assert engine.accounts.locked("TEST") == 0 and engine.accounts.free("TEST") == 0
    assert engine.open_orders() == []


def test_stop_leg_fires_on_a_trade_fills_between_limit_and_trade_and_the_take_profit_expires(engine) -> None:
    report = engine.place_oco(oco(), 2_000)
    engine.observe_trade(Trade("TESTUSDT", 98.95, 50.0, 3_000, buyer_is_maker=True))
    done, stop, take = legs(engine, report)
    assert done.status is ListStatus.ALL_DONE
    assert (stop.status, take.status) == (OrderStatus.FILLED, OrderStatus.EXPIRED)
    slipped = (D("98.95") * (1 - D("0.0002"))).quantize(D("0.01"), ROUND_DOWN)
    assert stop.fills[0].price == slipped and not stop.fills[0].is_maker
    assert D("98.90") <= slipped <= D("98.95")


def test_a_bar_that_reaches_both_legs_is_taken_as_a_stop_loss_at_the_limit(engine) -> None:
    report = engine.place_oco(oco(), 2_000)
    engine.observe_candle(bar(60_000, 100.0, 101.5, 98.5, 100.0))
    done, stop, take = legs(engine, report)
    assert done.status is ListStatus.ALL_DONE
    assert (stop.status, take.status) == (OrderStatus.FILLED, OrderStatus.EXPIRED)
    assert stop.fills[0].price == D("98.90")  # the bar went through the limit: worst price allowed


def test_a_gap_through_the_stop_limit_leaves_it_resting_until_the_price_comes_back(engine) -> None:
    report = engine.place_oco(oco(), 2_000)
    engine.observe_candle(bar(60_000, 98.0, 98.5, 97.5, 98.2))  # opens below the 98.90 limit
    still, stop, take = legs(engine, report)
    assert (still.status, stop.status, stop.executed_quantity) == (ListStatus.EXECUTING, OrderStatus.NEW, 0)
    assert take.status is OrderStatus.EXPIRED
    assert engine.accounts.locked("TEST") == D(10)
    engine.observe_candle(bar(120_000, 98.2, 98.9, 98.0, 98.5))  # back to the limit, not through
    assert legs(engine, report)[1].status is OrderStatus.NEW
    engine.observe_candle(bar(180_000, 98.5, 99.2, 98.4, 99.0))
    done, stop, _ = legs(engine, report)
    assert (done.status, stop.status) == (ListStatus.ALL_DONE, OrderStatus.FILLED)
    assert stop.fills[0].price == D("98.90") and stop.fills[0].is_maker
    assert engine.accounts.locked("TEST") == 0


@pytest.mark.parametrize(("open_", "expected"), [(100.0, "98.98"), (97.0, "96.98")])
def test_a_market_stop_fills_from_the_stop_or_from_a_gap_open_with_slippage(engine, open_, expected) -> None:
    report = engine.place_oco(oco(stop_limit=None), 2_000)
    engine.observe_candle(bar(60_000, open_, max(open_, 99.5), 96.0, 98.0))
    _, stop, take = legs(engine, report)
    assert stop.type is OrderType.STOP_LOSS and stop.status is OrderStatus.FILLED
    assert stop.fills[0].price == D(expected)  # min(open, stop) * (1 - 2 bps), rounded down to the tick
    assert take.status is OrderStatus.EXPIRED


def test_a_taker_take_profit_fires_on_a_touch_where_a_maker_one_waits(make_engine) -> None:
    results = {}
    for tp_type in (OrderType.LIMIT_MAKER, OrderType.TAKE_PROFIT):
        engine = make_engine({"TEST": D(10)})
        engine.observe_trade(Trade("TESTUSDT", 100.0, 1.0, 1_000, buyer_is_maker=False))
        report = engine.place_oco(oco(tp_type=tp_type, stop_limit=None), 2_000)
        engine.observe_candle(bar(60_000, 100.0, 101.0, 99.5, 100.5))  # touches 101 exactly
        results[tp_type] = legs(engine, report)[2]
    assert results[OrderType.LIMIT_MAKER].status is OrderStatus.NEW
    taker = results[OrderType.TAKE_PROFIT]
    assert taker.status is OrderStatus.FILLED and not taker.fills[0].is_maker
    assert taker.fills[0].price == D("100.97")  # 101 * (1 - 2 bps) rounded down: no gap bonus, slippage


def test_cancel_list_and_cancel_of_one_leg_both_end_the_whole_list(engine) -> None:
    first = engine.place_oco(oco(cid="A"), 2_000)
    canceled = engine.cancel_order_list("TESTUSDT", order_list_id=first.order_list_id, now_ms=3_000)
    assert canceled.status is ListStatus.ALL_DONE
    assert {o.status for o in canceled.orders} == {OrderStatus.CANCELED}
    assert engine.accounts.locked("TEST") == 0 and engine.accounts.free("TEST") == D(10)
    second = engine.place_oco(oco(cid="B"), 4_000)
    leg = engine.cancel_order("TESTUSDT", order_id=second.orders[1].order_id, now_ms=5_000)
    assert leg.status is OrderStatus.CANCELED
    after = engine.get_order_list(order_list_id=second.order_list_id)
    assert after.status is ListStatus.ALL_DONE and {o.status for o in after.orders} == {OrderStatus.CANCELED}
    assert engine.accounts.free("TEST") == D(10)
    with pytest.raises(OrderNotFound):
        engine.cancel_order_list("TESTUSDT", order_list_id=second.order_list_id, now_ms=6_000)
    with pytest.raises(OrderNotFound) as missing:
        engine.get_order_list(order_list_id=999)
    assert missing.value.code == -2013


def test_prices_on_the_wrong_side_of_the_market_are_refused(engine) -> None:
    with pytest.raises(OrderRejected) as caught:
        engine.place_oco(oco(tp="99.50", stop="99.00"), 2_000)  # TP below the last price 100
    assert str(caught.value) == "The relationship of the prices for the orders is not correct."
    assert engine.accounts.locked("TEST") == 0


def test_an_oco_for_more_than_the_free_base_is_refused(engine) -> None:
    with pytest.raises(InsufficientBalance):
        engine.place_oco(oco(qty="10.001"), 2_000)


def test_fees_on_both_legs_of_a_round_trip(make_engine, make_deep_book) -> None:
    engine = make_engine({"USDT": D(1000)})
    engine.observe_book(make_deep_book())
    entry = OrderRequest("TESTUSDT", Side.BUY, OrderType.MARKET, "b", quote_quantity=D(200))
    buy = engine.place_order(entry, 1)
    entry_fee = buy.commission_in("TEST")
    assert entry_fee == buy.executed_quantity * D("0.001")
    sellable = (buy.executed_quantity - entry_fee).quantize(D("0.001"), ROUND_DOWN)
    report = engine.place_oco(oco(qty=str(sellable), tp="100.50", stop="99.50", stop_limit="99.40"), 2)
    engine.observe_trade(Trade("TESTUSDT", 100.6, 100.0, 3, buyer_is_maker=False))
    take = legs(engine, report)[2]
    exit_fee = take.commission_in("USDT")
    assert exit_fee == sellable * D("100.50") * D("0.001")
    fees = engine.stats().fees_paid
    assert fees == {"TEST": entry_fee, "USDT": exit_fee}
    assert engine.accounts.free("USDT") == D(1000) - buy.cumulative_quote + take.cumulative_quote - exit_fee
    assert engine.accounts.free("TEST") == buy.executed_quantity - entry_fee - sellable


def test_a_fired_stop_limit_takes_its_whole_quantity_even_from_a_small_trade(engine) -> None:
    report = engine.place_oco(oco(), 2_000)
    engine.observe_trade(Trade("TESTUSDT", 98.95, 0.01, 3_000, buyer_is_maker=True))  # a tiny print
    _, stop, _ = legs(engine, report)
    assert (stop.status, stop.executed_quantity) == (OrderStatus.FILLED, D(10))


def test_a_resting_take_profit_gets_only_what_traded_through_it(engine) -> None:
    report = engine.place_oco(oco(), 2_000)
    engine.observe_trade(Trade("TESTUSDT", 101.2, 4.0, 3_000, buyer_is_maker=False))
    done, stop, take = legs(engine, report)
    assert (take.status, take.executed_quantity) == (OrderStatus.PARTIALLY_FILLED, D(4))
    assert stop.status is OrderStatus.EXPIRED and done.status is ListStatus.EXECUTING
    assert engine.accounts.locked("TEST") == D(6)  # the rest stays locked for the live leg
    engine.observe_trade(Trade("TESTUSDT", 101.1, 10.0, 4_000, buyer_is_maker=False))
    done, _, take = legs(engine, report)
    assert (take.status, done.status, engine.accounts.locked("TEST")) == (OrderStatus.FILLED,
                                                                          ListStatus.ALL_DONE, D(0))


def test_a_buy_oco_through_explicit_legs_locks_quote_at_the_highest_leg(make_engine) -> None:
    engine = make_engine({"USDT": D(1000)})
    engine.observe_trade(Trade("TESTUSDT", 100.0, 1.0, 1_000, buyer_is_maker=False))
    above = OrderRequest("TESTUSDT", Side.BUY, OrderType.STOP_LOSS_LIMIT, "up", D(2), price=D("101.10"),
                         stop_price=D(101), time_in_force=TimeInForce.GTC)
    below = OrderRequest("TESTUSDT", Side.BUY, OrderType.LIMIT_MAKER, "down", D(2), price=D(99))
    listed = engine.place_order_list(list_client_id="buy-oco", above=above, below=below, now_ms=2_000)
    assert engine.accounts.locked("USDT") == D(2) * D("101.10")
    engine.observe_trade(Trade("TESTUSDT", 98.9, 5.0, 3_000, buyer_is_maker=True))
    done = engine.get_order_list(list_client_id="buy-oco")
    assert done.order_list_id == listed.order_list_id and done.status is ListStatus.ALL_DONE
    assert done.filled_leg is not None and done.filled_leg.client_order_id == "down"
    assert engine.accounts.locked("USDT") == 0
    assert engine.accounts.free("USDT") == D(1000) - D(2) * D(99)


def test_an_oco_asked_about_again_unchanged_is_the_same_report_and_a_fill_makes_a_new_one(engine) -> None:
    report = engine.place_oco(oco(), 2_000)
    first = engine.get_order_list(order_list_id=report.order_list_id)
    assert engine.get_order_list(order_list_id=report.order_list_id) is first  # a replay polls every minute
    engine.observe_trade(Trade("TESTUSDT", 101.01, 50.0, 4_000, buyer_is_maker=False))
    done, stop, take = legs(engine, report)
    assert done is not first and done.status is ListStatus.ALL_DONE
    assert (take.status, stop.status) == (OrderStatus.FILLED, OrderStatus.EXPIRED)
    assert [o.status for o in first.orders] == [OrderStatus.NEW, OrderStatus.NEW]  # the old one is as it was
