"""Order requests refuse impossible shapes; reports answer what was filled and at what price."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.orders import (
    Balance,
    Fill,
    ListStatus,
    OcoRequest,
    OrderListReport,
    OrderReport,
    OrderRequest,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from domain.values import Side

D = Decimal


def test_a_market_buy_takes_a_quantity_or_a_quote_quantity_not_both() -> None:
    OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, "c1", quantity=D("0.001"))
    OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, "c2", quote_quantity=D("10"))
    with pytest.raises(ValueError, match="exactly one"):
        OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, "c3")
    with pytest.raises(ValueError, match="exactly one"):
        OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, "c4", quantity=D("1"), quote_quantity=D("10"))


def test_quote_quantity_is_for_market_orders_only() -> None:
    with pytest.raises(ValueError, match="only for MARKET"):
        OrderRequest("BTCUSDT", Side.BUY, OrderType.LIMIT, "c", quote_quantity=D("10"), price=D("1"))


@pytest.mark.parametrize("order_type", [OrderType.LIMIT, OrderType.LIMIT_MAKER, OrderType.STOP_LOSS_LIMIT,
                                        OrderType.TAKE_PROFIT_LIMIT])
def test_limit_types_need_a_price(order_type: OrderType) -> None:
    with pytest.raises(ValueError, match="needs a price"):
        OrderRequest("BTCUSDT", Side.SELL, order_type, "c", quantity=D("1"), stop_price=D("1"))


@pytest.mark.parametrize("order_type", [OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT,
                                        OrderType.TAKE_PROFIT_LIMIT])
def test_stop_types_need_a_stop_price(order_type: OrderType) -> None:
    with pytest.raises(ValueError, match="stop_price"):
        OrderRequest("BTCUSDT", Side.SELL, order_type, "c", quantity=D("1"), price=D("1"))


def test_a_valid_stop_limit_order() -> None:
    order = OrderRequest("BTCUSDT", Side.SELL, OrderType.STOP_LOSS_LIMIT, "c", quantity=D("1"),
                         price=D("99"), stop_price=D("99.5"), time_in_force=TimeInForce.GTC)
    assert order.stop_price == D("99.5")


def test_an_oco_sell_needs_its_stop_below_its_target() -> None:
    OcoRequest("BTCUSDT", D("1"), take_profit_price=D("101"), stop_price=D("99"), stop_limit_price=D("98.9"),
               list_client_id="l1")
    with pytest.raises(ValueError, match="below"):
        OcoRequest("BTCUSDT", D("1"), take_profit_price=D("99"), stop_price=D("99"), stop_limit_price=None,
                   list_client_id="l2")


def report(status: OrderStatus, executed: str, quote: str, fills: tuple[Fill, ...] = (),
           order_id: int = 1) -> OrderReport:
    return OrderReport("BTCUSDT", order_id, f"c{order_id}", Side.SELL, OrderType.LIMIT, status, D("1"),
                       D(executed), D(quote), fills=fills)


def test_average_price_and_commissions_per_asset() -> None:
    fills = (Fill(D("100"), D("0.4"), D("0.04"), "USDT"), Fill(D("101"), D("0.6"), D("0.0001"), "BNB"),
             Fill(D("101"), D("0"), D("0.02"), "USDT"))
    filled = report(OrderStatus.FILLED, "1", "100.6", fills)
    assert filled.average_price == D("100.6")
    assert filled.commission_in("USDT") == D("0.06")
    assert filled.commission_in("BNB") == D("0.0001")
    assert filled.commission_in("BTC") == 0


def test_an_unfilled_order_has_no_average_price() -> None:
    assert report(OrderStatus.NEW, "0", "0").average_price == 0


def test_final_statuses() -> None:
    final = {s for s in OrderStatus if s.is_final}
    assert final == {OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED, OrderStatus.EXPIRED,
                     OrderStatus.EXPIRED_IN_MATCH}


def test_the_filled_leg_of_an_oco() -> None:
    take_profit = report(OrderStatus.EXPIRED, "0", "0", order_id=1)
    stop_loss = report(OrderStatus.FILLED, "1", "99", order_id=2)
    done = OrderListReport("BTCUSDT", 7, "l1", ListStatus.ALL_DONE, (take_profit, stop_loss))
    assert done.filled_leg is stop_loss
    partly = report(OrderStatus.CANCELED, "0.3", "30.3", order_id=3)
    partly_done = OrderListReport("BTCUSDT", 8, "l2", ListStatus.ALL_DONE, (partly, take_profit))
    assert partly_done.filled_leg is partly
    waiting = OrderListReport("BTCUSDT", 9, "l3", ListStatus.EXECUTING, (take_profit,))
    assert waiting.filled_leg is None
    both = report(OrderStatus.FILLED, "0.7", "70", order_id=4)
    tied = report(OrderStatus.CANCELED, "0.7", "71", order_id=5)
    assert OrderListReport("BTCUSDT", 10, "l4", ListStatus.ALL_DONE, (partly, both, tied)).filled_leg is both


def test_balance_total() -> None:
    assert Balance("USDT", D("20.5"), D("6")).total == D("26.5")


def test_enums_read_as_their_wire_values() -> None:
    assert f"{OrderType.MARKET}" == "MARKET" and OrderStatus("FILLED") is OrderStatus.FILLED
