"""Bars in a backtest: which resting orders a bar may move, and the book it makes stale."""

from __future__ import annotations

from decimal import Decimal

from domain.orders import OrderRequest, OrderStatus, OrderType
from domain.values import Candle, Side

D = Decimal
MINUTE = 60_000


def maker_buy(price: str, cid: str = "mk") -> OrderRequest:
    return OrderRequest("TESTUSDT", Side.BUY, OrderType.LIMIT_MAKER, cid, D(1), price=D(price))


def bar(open_ms: int, low: float, close: float = 100.0, closed: bool = True) -> Candle:
    return Candle("TESTUSDT", open_ms, 100.0, 100.5, low, close, 10.0, closed=closed)


def status(engine, order) -> OrderStatus:
    return engine.get_order("TESTUSDT", order_id=order.order_id).status


def test_an_order_placed_inside_a_bar_only_sees_its_close(make_engine) -> None:
    engine = make_engine()
    engine.observe_candle(bar(0, 99.9))
    order = engine.place_order(maker_buy("99.50"), MINUTE + 30_000)  # half-way through the next bar
    engine.observe_candle(bar(MINUTE, 99.0))  # its low may predate the order
    assert status(engine, order) is OrderStatus.NEW
    engine.observe_candle(bar(2 * MINUTE, 99.0))
    assert status(engine, order) is OrderStatus.FILLED


def test_an_order_placed_at_the_previous_close_plus_latency_sees_the_whole_next_bar(make_engine) -> None:
    engine = make_engine()
    engine.observe_candle(bar(0, 99.9))
    order = engine.place_order(maker_buy("99.50"), MINUTE + 150)  # the close, plus 150 ms of latency
    engine.observe_candle(bar(MINUTE, 99.0))
    assert status(engine, order) is OrderStatus.FILLED


def test_an_unfinished_bar_counts_only_as_its_current_price(make_engine) -> None:
    engine = make_engine()
    engine.observe_candle(bar(0, 99.9))
    order = engine.place_order(maker_buy("99.50"), MINUTE)
    engine.observe_candle(bar(MINUTE, 99.0, close=99.8, closed=False))
    assert status(engine, order) is OrderStatus.NEW
    engine.observe_candle(bar(MINUTE, 99.0, close=99.4, closed=False))
    assert status(engine, order) is OrderStatus.FILLED


def test_a_bar_newer_than_the_book_replaces_it_as_the_price_to_fill_at(make_engine, make_deep_book) -> None:
    engine = make_engine()
    engine.observe_book(make_deep_book(100.0, time_ms=1_000))
    engine.observe_candle(Candle("TESTUSDT", MINUTE, 100.0, 110.5, 100.0, 110.0, 10.0))
    report = engine.place_order(OrderRequest("TESTUSDT", Side.BUY, OrderType.MARKET, "m", D(1)), 2 * MINUTE)
    assert report.fills[0].price == D("110.03")  # the close 110 * (1 + 2 bps), not the old 100.01 ask
