"""What BinanceExchange puts on the wire before any network: client ids, decimal strings, OCO sizing and
the refusals made before an order is sent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.binance.client_ids import ClientOrderIdError, client_order_id, oco_leg_ids, validate_client_id
from adapters.binance.order_params import check_exit_viable, oco, order, received_quantity
from adapters.binance.signed_rest import wire
from domain.orders import OcoRequest, OrderRequest, OrderType
from domain.rules import SymbolRules
from domain.values import Side
from ports.errors import OrderRejected

RULES = SymbolRules(
    symbol="XRPUSDT",
    base_asset="XRP",
    quote_asset="USDT",
    tick_size=Decimal("0.0001"),
    min_price=Decimal("0.0001"),
    max_price=Decimal("1000"),
    step_size=Decimal("0.1"),
    min_qty=Decimal("0.1"),
    max_qty=Decimal("900000"),
    min_notional=Decimal("5"),
    order_types=("LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"),
)


def test_client_ids_are_deterministic_valid_and_distinct() -> None:
    first = client_order_id("cs", "run7", "XRPUSDT", 12, "entry")
    assert first == client_order_id("cs", "run7", "XRPUSDT", 12, "entry")
    assert first != client_order_id("cs", "run7", "XRPUSDT", 13, "entry")
    long_a = client_order_id("cryptoscalper", "2026-11-23T10:00:00", "1000SATSUSDT", 123456, "entry")
    long_b = client_order_id("cryptoscalper", "2026-11-23T10:00:00", "1000SATSUSDT", 123457, "entry")
    for made in (first, long_a, long_b):
        assert validate_client_id(made) == made
    assert long_a != long_b


def test_bad_client_ids_are_refused() -> None:
    for bad in ("", "has space", "x" * 37, "é"):
        with pytest.raises(ClientOrderIdError):
            validate_client_id(bad)


def test_oco_leg_ids_derive_from_the_list_id() -> None:
    above, below = oco_leg_ids("cs-run7-XRPUSDT-12")
    assert above != below and validate_client_id(above) and validate_client_id(below)
    assert oco_leg_ids("cs-run7-XRPUSDT-12") == (above, below)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.00000001"), "0.00000001"),
        (Decimal("1E-8"), "0.00000001"),
        (Decimal("1E+2"), "100"),
        (Decimal("12.3400"), "12.34"),
        (Decimal("5"), "5"),
        (Decimal("0.10000000"), "0.1"),
    ],
)
def test_decimals_go_out_as_plain_strings(value: Decimal, text: str) -> None:
    assert wire(value) == text


def test_floats_never_reach_the_wire() -> None:
    with pytest.raises(TypeError, match="float"):
        wire(0.00001)


def test_market_buy_by_quote_amount() -> None:
    params = order(OrderRequest("XRPUSDT", Side.BUY, OrderType.MARKET, "cs-1", quote_quantity=Decimal("6")))
    assert params["quoteOrderQty"] == Decimal("6") and params["quantity"] is None
    assert params["newClientOrderId"] == "cs-1" and params["newOrderRespType"] == "FULL"
    assert params["timeInForce"] is None


def test_limit_order_gets_gtc_by_default() -> None:
    params = order(
        OrderRequest(
            "XRPUSDT", Side.SELL, OrderType.LIMIT, "cs-2", quantity=Decimal("10"), price=Decimal("0.5")
        )
    )
    assert params["timeInForce"] == "GTC"


def test_entry_whose_exit_would_be_below_min_notional_is_refused() -> None:
    too_small = OrderRequest("XRPUSDT", Side.BUY, OrderType.MARKET, "cs-3", quote_quantity=Decimal("5.02"))
    with pytest.raises(OrderRejected) as caught:
        check_exit_viable(too_small, RULES, Decimal("0.001"), Decimal("0.01"))
    assert caught.value.filter_type == "NOTIONAL"
    enough = OrderRequest("XRPUSDT", Side.BUY, OrderType.MARKET, "cs-4", quote_quantity=Decimal("5.2"))
    check_exit_viable(enough, RULES, Decimal("0.001"), Decimal("0.01"))


def test_oco_is_rounded_to_the_filters_and_uses_allowed_types() -> None:
    request = OcoRequest(
        "XRPUSDT",
        quantity=Decimal("10.98901"),
        take_profit_price=Decimal("0.50151"),
        stop_price=Decimal("0.49804"),
        stop_limit_price=None,
        list_client_id="cs-5",
    )
    params = oco(request, RULES, Decimal("0.005"))
    assert params["quantity"] == Decimal("10.9")  # down: never sell more than received
    assert params["abovePrice"] == Decimal("0.5016")  # up
    assert params["belowStopPrice"] == Decimal("0.4980")
    # STOP_LOSS is not allowed on this symbol: a stop-limit below the stop, on the tick grid.
    assert params["belowType"] == "STOP_LOSS_LIMIT" and params["belowTimeInForce"] == "GTC"
    assert params["belowPrice"] < params["belowStopPrice"]
    assert params["belowPrice"] % RULES.tick_size == 0
    assert params["aboveType"] == "LIMIT_MAKER" and params["side"] == "SELL"


def test_oco_below_min_notional_is_refused_before_sending() -> None:
    request = OcoRequest(
        "XRPUSDT",
        quantity=Decimal("10"),
        take_profit_price=Decimal("0.52"),
        stop_price=Decimal("0.49"),
        stop_limit_price=Decimal("0.48"),
        list_client_id="cs-6",
    )
    with pytest.raises(OrderRejected) as caught:
        oco(request, RULES, Decimal("0.005"))
    assert caught.value.filter_type == "NOTIONAL"


def test_oco_quantity_below_the_lot_is_refused() -> None:
    request = OcoRequest(
        "XRPUSDT",
        quantity=Decimal("0.05"),
        take_profit_price=Decimal("0.52"),
        stop_price=Decimal("0.49"),
        stop_limit_price=None,
        list_client_id="cs-7",
    )
    with pytest.raises(OrderRejected) as caught:
        oco(request, RULES, Decimal("0.005"))
    assert caught.value.filter_type == "LOT_SIZE"


def test_received_quantity_subtracts_the_base_fee_then_rounds_down() -> None:
    assert received_quantity(Decimal("12"), Decimal("0.012"), RULES) == Decimal("11.9")
    assert received_quantity(Decimal("0.1"), Decimal("0.0001"), RULES) == 0


def test_oco_take_profit_leg_types() -> None:
    def params(kind: OrderType) -> dict[str, object]:
        request = OcoRequest(
            "XRPUSDT",
            quantity=Decimal("20"),
            take_profit_price=Decimal("0.52"),
            stop_price=Decimal("0.49"),
            stop_limit_price=Decimal("0.488"),
            list_client_id="cs-8",
            take_profit_type=kind,
        )
        return oco(request, RULES, Decimal("0.005"))

    maker = params(OrderType.LIMIT_MAKER)
    assert maker["abovePrice"] == Decimal("0.52") and maker["aboveStopPrice"] is None
    taker = params(OrderType.TAKE_PROFIT)
    assert taker["aboveType"] == "TAKE_PROFIT" and taker["aboveStopPrice"] == Decimal("0.52")
    assert taker["abovePrice"] is None
    limit = params(OrderType.TAKE_PROFIT_LIMIT)
    assert limit["aboveStopPrice"] == limit["abovePrice"] == Decimal("0.52")
    assert limit["aboveTimeInForce"] == "GTC"
