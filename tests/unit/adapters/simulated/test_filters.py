"""Every symbol filter and pre-trade check rejects as Binance does: same error type, code and message."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.simulated.matching import EngineLimits
from domain.orders import OrderRequest, OrderType, TimeInForce
from domain.values import Side
from ports.errors import InsufficientBalance, OrderRejected

D = Decimal
GTC = TimeInForce.GTC


def limit(side: Side, qty: str, price: str, cid: str = "c1", symbol: str = "BTCUSDT") -> OrderRequest:
    return OrderRequest(symbol, side, OrderType.LIMIT, cid, D(qty), price=D(price), time_in_force=GTC)


@pytest.fixture
def btc(make_engine, real_rules, real_book):
    engine = make_engine({"USDT": D(1000), "BTC": D(1)}, rules=real_rules)
    engine.observe_book(real_book)
    return engine


@pytest.mark.parametrize(("request_", "filter_type"), [
    (limit(Side.BUY, "0.001", "60000.005"), "PRICE_FILTER"),  # off the 0.01 tick
    (limit(Side.BUY, "0.001", "1000001"), "PRICE_FILTER"),  # above maxPrice
    (OrderRequest("BTCUSDT", Side.SELL, OrderType.STOP_LOSS_LIMIT, "c1", D("0.001"), price=D("59000"),
                  stop_price=D("59000.001"), time_in_force=GTC), "PRICE_FILTER"),  # stop off the tick
    (limit(Side.BUY, "0.000015", "60000"), "LOT_SIZE"),  # off the 0.00001 step
    (limit(Side.BUY, "0.000001", "60000"), "LOT_SIZE"),  # below minQty (and off step)
    (limit(Side.BUY, "9001", "1"), "LOT_SIZE"),  # above maxQty 9000
    (OrderRequest("BTCUSDT", Side.SELL, OrderType.MARKET, "c1", D("120")), "MARKET_LOT_SIZE"),  # > 112.2
    (limit(Side.BUY, "0.0001", "60000"), "NOTIONAL"),  # 6 USDT < minNotional 10
    (OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, "c1", D("0.0001")), "NOTIONAL"),  # ~6 at the book
    (OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, "c1", quote_quantity=D(9)), "NOTIONAL"),
])
def test_each_filter_failure_is_a_1013_naming_the_filter(btc, request_, filter_type) -> None:
    with pytest.raises(OrderRejected) as caught:
        btc.place_order(request_, 2_000)
    assert caught.value.code == -1013
    assert caught.value.filter_type == filter_type
    assert str(caught.value) == f"Filter failure: {filter_type}"
    assert btc.accounts.locked("USDT") == 0 and btc.accounts.locked("BTC") == 0
    assert btc.stats().orders_rejected == 1


def test_a_valid_limit_passes_every_filter(btc) -> None:
    report = btc.place_order(limit(Side.BUY, "0.001", "60000.01"), 2_000)
    assert report.status.value == "NEW"


def test_too_many_decimals_is_1111(btc) -> None:
    with pytest.raises(OrderRejected) as caught:
        btc.place_order(limit(Side.BUY, "0.000010001", "60000"), 2_000)
    assert caught.value.code == -1111
    assert "quantity" in str(caught.value)


def test_unknown_symbol_is_1121(btc) -> None:
    with pytest.raises(OrderRejected) as caught:
        btc.place_order(limit(Side.BUY, "1", "1", symbol="NOPEUSDT"), 2_000)
    assert (caught.value.code, str(caught.value)) == (-1121, "Invalid symbol.")


def test_order_types_the_symbol_does_not_list_are_refused(btc) -> None:
    stop = OrderRequest("BTCUSDT", Side.SELL, OrderType.STOP_LOSS, "c1", D("0.001"), stop_price=D("59000"))
    with pytest.raises(OrderRejected) as caught:
        btc.place_order(stop, 2_000)
    assert caught.value.code == -2010
    assert str(caught.value) == "Stop loss orders are not supported for this symbol."


def test_limit_without_time_in_force_is_1102(btc) -> None:
    request = OrderRequest("BTCUSDT", Side.BUY, OrderType.LIMIT, "c1", D("0.001"), price=D("60000"))
    with pytest.raises(OrderRejected) as caught:
        btc.place_order(request, 2_000)
    assert caught.value.code == -1102


def test_limit_maker_that_would_cross_is_refused(btc) -> None:
    # best ask of the recorded book is 60650.01
    maker = OrderRequest("BTCUSDT", Side.BUY, OrderType.LIMIT_MAKER, "c1", D("0.001"), price=D("60650.01"))
    with pytest.raises(OrderRejected) as caught:
        btc.place_order(maker, 2_000)
    assert (caught.value.code, str(caught.value)) == (-2010, "Order would immediately match and take.")
    resting = OrderRequest("BTCUSDT", Side.BUY, OrderType.LIMIT_MAKER, "c2", D("0.001"), price=D("60650.00"))
    assert btc.place_order(resting, 2_000).status.value == "NEW"


def test_a_stop_already_reached_would_trigger_immediately(btc) -> None:
    # the market is ~60650: a SELL stop-loss at 61000 fires when the price falls to 61000: it already has
    stop = OrderRequest("BTCUSDT", Side.SELL, OrderType.STOP_LOSS_LIMIT, "c1", D("0.001"), price=D("60900"),
                        stop_price=D("61000"), time_in_force=GTC)
    with pytest.raises(OrderRejected) as caught:
        btc.place_order(stop, 2_000)
    assert (caught.value.code, str(caught.value)) == (-2010, "Order would trigger immediately.")


def test_duplicate_client_id_of_an_open_order_is_refused_then_free_again_once_closed(btc) -> None:
    first = btc.place_order(limit(Side.BUY, "0.001", "50000", cid="same"), 2_000)
    with pytest.raises(OrderRejected) as caught:
        btc.place_order(limit(Side.BUY, "0.001", "50001", cid="same"), 2_001)
    assert (caught.value.code, str(caught.value)) == (-2010, "Duplicate order sent.")
    btc.cancel_order("BTCUSDT", order_id=first.order_id, now_ms=2_002)
    assert btc.place_order(limit(Side.BUY, "0.001", "50001", cid="same"), 2_003).status.value == "NEW"


def test_max_num_orders_and_max_num_algo_orders(make_engine, test_rules, make_deep_book) -> None:
    engine = make_engine({"USDT": D(10_000), "TEST": D(100)}, limits=EngineLimits(max_num_orders=3,
                                                                                  max_num_algo_orders=1))
    engine.observe_book(make_deep_book())
    stop = OrderRequest("TESTUSDT", Side.SELL, OrderType.STOP_LOSS, "s1", D(1), stop_price=D(90))
    engine.place_order(stop, 1)
    with pytest.raises(OrderRejected) as algo:
        engine.place_order(OrderRequest("TESTUSDT", Side.SELL, OrderType.STOP_LOSS, "s2", D(1),
                                        stop_price=D(89)), 2)
    assert algo.value.filter_type == "MAX_NUM_ALGO_ORDERS"
    for i in range(2):
        engine.place_order(limit(Side.BUY, "1", f"{80 + i}", cid=f"b{i}", symbol="TESTUSDT"), 3)
    with pytest.raises(OrderRejected) as orders:
        engine.place_order(limit(Side.BUY, "1", "70", cid="b9", symbol="TESTUSDT"), 4)
    assert orders.value.filter_type == "MAX_NUM_ORDERS"


@pytest.mark.parametrize("request_", [
    limit(Side.BUY, "0.1", "60000"),  # locks 6,000 USDT, the account has 1,000
    OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, "c1", quote_quantity=D(1001)),
    OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, "c1", D("0.02")),  # ~1,213 USDT at the asks
    limit(Side.SELL, "1.5", "61000"),  # holds 1 BTC
])
def test_insufficient_balance_rejects_the_whole_order(btc, request_) -> None:
    before = btc.accounts.snapshot()
    with pytest.raises(InsufficientBalance) as caught:
        btc.place_order(request_, 2_000)
    assert caught.value.code == -2010
    assert str(caught.value) == "Account has insufficient balance for requested action."
    assert btc.accounts.snapshot() == before
    assert btc.open_orders() == []
