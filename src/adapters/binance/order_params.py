"""Domain order requests -> Binance request parameters, with the checks made before anything is sent.

Quantities and prices stay Decimal here; SignedRest turns them into plain decimal strings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.binance.client_ids import oco_leg_ids, validate_client_id
from domain.orders import OcoRequest, OrderRequest, OrderType, TimeInForce
from domain.rules import SymbolRules
from domain.values import Side
from ports.errors import OrderRejected

_NEEDS_TIF = {OrderType.LIMIT, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT}


def order(request: OrderRequest) -> dict[str, Any]:
    """POST /api/v3/order parameters; FULL responses so the fills (and their fees) come back at once."""
    validate_client_id(request.client_order_id)
    tif = request.time_in_force or (TimeInForce.GTC if request.type in _NEEDS_TIF else None)
    return {"symbol": request.symbol, "side": request.side.value, "type": request.type.value,
            "quantity": request.quantity, "quoteOrderQty": request.quote_quantity, "price": request.price,
            "stopPrice": request.stop_price, "timeInForce": tif.value if tif else None,
            "newClientOrderId": request.client_order_id, "newOrderRespType": "FULL"}


def check_exit_viable(request: OrderRequest, rules: SymbolRules, taker_fee: Decimal, margin: Decimal) -> None:
    """Refuse a BUY whose position could not be sold afterwards: what it receives after the fee, less a
    margin for the stop distance and the step rounding, must still meet the symbol's min notional."""
    if request.side is not Side.BUY or rules.min_notional <= 0:
        return
    if request.quote_quantity is not None:
        spend = request.quote_quantity
    elif request.quantity is not None and request.price is not None:
        spend = request.quantity * request.price
    else:
        return  # a market BUY by quantity: its price is unknown here, Binance checks the entry itself
    exit_value = spend * (1 - taker_fee) * (1 - margin)
    if exit_value < rules.min_notional:
        raise OrderRejected(
            f"{request.symbol}: buying for {spend} {rules.quote_asset} leaves about {exit_value:.4f} "
            f"after the fee and a {margin * 100}% exit margin, below the min notional "
            f"{rules.min_notional}: the position could not be sold, so it is not opened",
            filter_type="NOTIONAL")


def oco(request: OcoRequest, rules: SymbolRules, stop_limit_slippage: Decimal) -> dict[str, Any]:
    """POST /api/v3/orderList/oco parameters for a SELL OCO: the take-profit leg above (LIMIT_MAKER by
    default, or TAKE_PROFIT / TAKE_PROFIT_LIMIT triggered at the target), the stop leg below.

    The quantity is rounded DOWN to the lot step (never sell more than was received after fees), the
    take-profit UP and the stop-limit DOWN to the tick. Symbols that do not allow plain STOP_LOSS get a
    STOP_LOSS_LIMIT whose limit sits `stop_limit_slippage` below the stop."""
    validate_client_id(request.list_client_id)
    quantity = rules.round_qty(request.quantity)
    if quantity <= 0:
        raise OrderRejected(f"{request.symbol}: OCO quantity {request.quantity} is below the lot size "
                            f"(min {rules.min_qty}, step {rules.step_size})", filter_type="LOT_SIZE")
    take_profit = rules.round_price(request.take_profit_price, direction="up")
    stop = rules.round_price(request.stop_price, direction="nearest")
    limit = request.stop_limit_price
    if limit is None and rules.order_types and "STOP_LOSS" not in rules.order_types:
        limit = stop * (1 - stop_limit_slippage)
    if limit is not None:
        limit = rules.round_price(limit, direction="down")
    lowest = limit if limit is not None else stop
    if lowest <= 0 or not stop < take_profit:
        raise OrderRejected(f"{request.symbol}: OCO prices on the tick grid are not ordered: "
                            f"limit {lowest} <= stop {stop} < take-profit {take_profit} is required",
                            filter_type="PRICE_FILTER")
    if not rules.meets_min_notional(quantity, lowest):
        raise OrderRejected(f"{request.symbol}: OCO exit {quantity} x {lowest} is below the min notional "
                            f"{rules.min_notional}", filter_type="NOTIONAL")
    above_id, below_id = oco_leg_ids(request.list_client_id)
    above_type = request.take_profit_type
    return {"symbol": request.symbol, "side": "SELL", "quantity": quantity, "aboveType": above_type.value,
            "abovePrice": None if above_type is OrderType.TAKE_PROFIT else take_profit,
            "aboveStopPrice": None if above_type is OrderType.LIMIT_MAKER else take_profit,
            "aboveTimeInForce": "GTC" if above_type is OrderType.TAKE_PROFIT_LIMIT else None,
            "aboveClientOrderId": above_id,
            "belowType": "STOP_LOSS" if limit is None else "STOP_LOSS_LIMIT", "belowStopPrice": stop,
            "belowPrice": limit, "belowTimeInForce": "GTC" if limit is not None else None,
            "belowClientOrderId": below_id, "listClientOrderId": request.list_client_id,
            "newOrderRespType": "FULL"}


def received_quantity(executed: Decimal, commission_in_base: Decimal, rules: SymbolRules) -> Decimal:
    """What a BUY leaves to sell: the executed quantity less the fee taken in the base asset, rounded DOWN
    to the lot step (ZERO if that falls below the minimum lot)."""
    return rules.round_qty(executed - commission_in_base)
