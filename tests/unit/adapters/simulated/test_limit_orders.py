"""Resting orders: maker entries filled only when the market trades through, cancels, IOC/FOK, takers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.simulated.costs import SimulatorCosts
from domain.orders import OrderRequest, OrderStatus, OrderType, TimeInForce
from domain.values import Candle, Side, Trade
from ports.errors import OrderNotFound

D = Decimal


def maker_buy(qty: str, price: str, cid: str = "mk") -> OrderRequest:
    return OrderRequest("TESTUSDT", Side.BUY, OrderType.LIMIT_MAKER, cid, D(qty), price=D(price))


def limit(side: Side, qty: str, price: str, tif: TimeInForce = TimeInForce.GTC,
          cid: str = "l1") -> OrderRequest:
    return OrderRequest("TESTUSDT", side, OrderType.LIMIT, cid, D(qty), price=D(price), time_in_force=tif)


def trade(price: float, qty: float, time_ms: int = 5_000) -> Trade:
    return Trade("TESTUSDT", price, qty, time_ms, buyer_is_maker=True)


@pytest.fixture
def engine(make_engine, make_deep_book):
    costs = SimulatorCosts(maker_fee=D("0.0005"), taker_fee=D("0.001"))
    engine = make_engine({"USDT": D(1000)}, costs=costs)
    engine.observe_book(make_deep_book())  # bids 99.99.., asks 100.01..
    return engine


def test_a_maker_entry_locks_its_cost_and_fills_only_through_its_price(engine) -> None:
    order = engine.place_order(maker_buy("2", "99.99"), 2_000)
    assert engine.accounts.locked("USDT") == D("199.98")
    engine.observe_trade(trade(99.99, 50))  # at the price: may be queued behind others
    assert engine.get_order("TESTUSDT", order_id=order.order_id).status is OrderStatus.NEW
    engine.observe_trade(trade(99.98, 0.5))  # through, but only 0.5 traded
    partial = engine.get_order("TESTUSDT", order_id=order.order_id)
    assert (partial.status, partial.executed_quantity) == (OrderStatus.PARTIALLY_FILLED, D("0.5"))
    engine.observe_trade(trade(99.97, 10))
    done = engine.get_order("TESTUSDT", order_id=order.order_id)
    assert done.status is OrderStatus.FILLED
    assert all(f.price == D("99.99") and f.is_maker for f in done.fills)
    assert done.commission_in("TEST") == D(2) * D("0.0005")  # the maker rate, in the asset received
    assert engine.accounts.locked("USDT") == 0
    assert engine.accounts.free("USDT") == D(1000) - D("199.98")
    assert engine.accounts.free("TEST") == D(2) - done.commission_in("TEST")
    stats = engine.stats()
    assert (stats.maker_fills, stats.taker_fills, stats.fill_rate(OrderType.LIMIT_MAKER)) == (2, 0, 1.0)


def test_a_book_whose_asks_move_below_the_bid_fills_it(engine, make_book) -> None:
    order = engine.place_order(maker_buy("1", "99.99"), 2_000)
    engine.observe_book(make_book([(99.97, 5.0)], [(99.99, 5.0)], time_ms=3_000))  # ask at the price
    assert engine.get_order("TESTUSDT", order_id=order.order_id).status is OrderStatus.NEW
    engine.observe_book(make_book([(99.96, 5.0)], [(99.98, 5.0)], time_ms=4_000))
    assert engine.get_order("TESTUSDT", order_id=order.order_id).status is OrderStatus.FILLED


def test_a_bar_fills_a_maker_entry_only_when_its_low_is_below_the_limit(engine) -> None:
    order = engine.place_order(maker_buy("1", "99.50"), 59_000)
    engine.observe_candle(Candle("TESTUSDT", 60_000, 100.0, 100.2, 99.5, 100.1, 10.0))
    assert engine.get_order("TESTUSDT", order_id=order.order_id).status is OrderStatus.NEW
    engine.observe_candle(Candle("TESTUSDT", 120_000, 100.0, 100.2, 99.49, 100.1, 10.0))
    filled = engine.get_order("TESTUSDT", order_id=order.order_id)
    assert filled.status is OrderStatus.FILLED and filled.fills[0].price == D("99.50")


def test_cancel_returns_canceled_unlocks_and_then_the_order_is_unknown_to_cancel(engine) -> None:
    order = engine.place_order(maker_buy("1", "99.00"), 2_000)
    assert [o.order_id for o in engine.open_orders("TESTUSDT")] == [order.order_id]
    canceled = engine.cancel_order("TESTUSDT", order_id=order.order_id, now_ms=3_000)
    assert canceled.status is OrderStatus.CANCELED
    assert engine.accounts.locked("USDT") == 0 and engine.accounts.free("USDT") == D(1000)
    assert engine.open_orders() == []
    with pytest.raises(OrderNotFound) as again:
        engine.cancel_order("TESTUSDT", order_id=order.order_id, now_ms=3_001)
    assert (again.value.code, str(again.value)) == (-2011, "Unknown order sent.")
    assert engine.get_order("TESTUSDT", order_id=order.order_id).status is OrderStatus.CANCELED


def test_unknown_ids_raise_order_not_found_with_binance_codes(engine) -> None:
    with pytest.raises(OrderNotFound) as query:
        engine.get_order("TESTUSDT", order_id=999)
    assert (query.value.code, str(query.value)) == (-2013, "Order does not exist.")
    with pytest.raises(OrderNotFound) as cancel:
        engine.cancel_order("TESTUSDT", client_order_id="nope", now_ms=1)
    assert cancel.value.code == -2011


@pytest.fixture
def rich(make_engine, make_deep_book):
    engine = make_engine({"USDT": D(1_000_000)})
    engine.observe_book(make_deep_book())
    return engine


def test_a_crossing_limit_takes_the_book_up_to_its_price_and_rests_the_rest(rich) -> None:
    report = rich.place_order(limit(Side.BUY, "1500", "100.01"), 2_000)
    assert [(f.price, f.quantity, f.is_maker) for f in report.fills] == [(D("100.01"), D(1000), False)]
    assert report.status is OrderStatus.PARTIALLY_FILLED
    assert report.commission_in("TEST") == D(1000) * D("0.001")  # taker rate
    assert [o.order_id for o in rich.open_orders("TESTUSDT")] == [report.order_id]
    assert rich.accounts.locked("USDT") == D(500) * D("100.01")


def test_ioc_expires_what_it_cannot_take_at_once(rich) -> None:
    report = rich.place_order(limit(Side.BUY, "1500", "100.01", TimeInForce.IOC), 2_000)
    assert (report.status, report.executed_quantity) == (OrderStatus.EXPIRED, D(1000))
    assert rich.accounts.locked("USDT") == 0
    assert rich.accounts.free("USDT") == D(1_000_000) - D(1000) * D("100.01")


def test_fok_fills_everything_or_nothing(rich) -> None:
    nothing = rich.place_order(limit(Side.BUY, "1500", "100.01", TimeInForce.FOK, cid="f1"), 2_000)
    assert (nothing.status, nothing.executed_quantity) == (OrderStatus.EXPIRED, D(0))
    assert rich.accounts.free("USDT") == D(1_000_000) and rich.accounts.locked("USDT") == 0
    everything = rich.place_order(limit(Side.BUY, "1500", "100.02", TimeInForce.FOK, cid="f2"), 2_001)
    assert everything.status is OrderStatus.FILLED
    fills = [(f.price, f.quantity) for f in everything.fills]
    assert fills == [(D("100.01"), D(1000)), (D("100.02"), D(500))]


def test_a_crossing_book_fills_a_resting_order_only_up_to_the_depth_through_it(engine, make_book) -> None:
    order = engine.place_order(maker_buy("3", "99.99"), 2_000)
    engine.observe_book(make_book([(99.96, 5.0)], [(99.97, 1.0), (99.98, 0.5), (99.99, 9.0)], time_ms=3_000))
    partial = engine.get_order("TESTUSDT", order_id=order.order_id)
    assert (partial.status, partial.executed_quantity) == (OrderStatus.PARTIALLY_FILLED, D("1.5"))
    assert partial.fills[0].price == D("99.99") and partial.fills[0].is_maker
