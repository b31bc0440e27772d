"""The venue's trading wire format: Binance request parameters -> domain requests, engine reports ->
Binance JSON (binance-spot-api.md 1.6, 1.8, 5.4). Prices and quantities as 8-decimal strings, the
`cummulativeQuoteQty` spelling, `orderListId: -1` outside lists."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from adapters.simulated.venue.signing import ApiError
from domain.orders import (
    Balance,
    Fill,
    ListStatus,
    OrderListReport,
    OrderReport,
    OrderRequest,
    OrderType,
    TimeInForce,
)
from domain.values import Side

Json = dict[str, Any]
_NUMBER = re.compile(r"^([0-9]{1,20})(\.[0-9]{1,20})?$")
_CLIENT_ID = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")
_LIMIT_TYPES = {OrderType.LIMIT, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT}
_STOP_TYPES = {OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT,
               OrderType.TAKE_PROFIT_LIMIT}
MANDATORY = "Mandatory parameter '%s' was not sent, was empty/null, or malformed."


def s8(value: Decimal) -> str:
    return f"{value:.8f}"


def number(params: Mapping[str, str], name: str, *, required: bool = False) -> Decimal | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise ApiError(400, -1102, MANDATORY % name)
        return None
    if not _NUMBER.match(raw):
        raise ApiError(400, -1100, f"Illegal characters found in parameter '{name}'; legal range is "
                                   "'^([0-9]{1,20})(\\.[0-9]{1,20})?$'.")
    return Decimal(raw)


def required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise ApiError(400, -1102, MANDATORY % name)
    return value


def integer(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise ApiError(400, -1100, f"Illegal characters found in parameter '{name}'; "
                                   "legal range is '^[0-9]{1,20}$'.")
    return int(raw)


def client_id(params: Mapping[str, str], name: str, fallback: str) -> str:
    value = params.get(name) or fallback
    if not _CLIENT_ID.match(value):
        raise ApiError(400, -1100, f"Illegal characters found in parameter '{name}'; legal range is "
                                   "'^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.")
    return value


def _enum(kind: type[Any], params: Mapping[str, str], name: str, code: int, what: str) -> Any:
    try:
        return kind(required(params, name))
    except ValueError:
        raise ApiError(400, code, f"Invalid {what}.") from None


def order_request(params: Mapping[str, str], prefix: str = "", *, symbol: str, side: Side,
                  quantity: Decimal | None, fallback_id: str) -> OrderRequest:
    """One order: POST /api/v3/order (no prefix) or one OCO leg (`above` / `below`)."""
    order_type = _enum(OrderType, params, prefix + ("Type" if prefix else "type"), -1116, "orderType")

    def p(name: str) -> str:  # "price" -> "abovePrice" for a leg
        return prefix + name[0].upper() + name[1:] if prefix else name

    tif_raw = params.get(p("timeInForce"))
    if tif_raw and order_type not in _LIMIT_TYPES:
        raise ApiError(400, -1106, f"Parameter '{p('timeInForce')}' sent when not required.")
    if order_type in _LIMIT_TYPES and not tif_raw:
        raise ApiError(400, -1102, MANDATORY % p("timeInForce"))
    try:
        tif = TimeInForce(tif_raw) if tif_raw else None
    except ValueError:
        raise ApiError(400, -1115, "Invalid timeInForce.") from None
    price = number(params, p("price"))
    stop = number(params, p("stopPrice"))
    if stop is not None and order_type not in _STOP_TYPES:
        raise ApiError(400, -1106, f"Parameter '{p('stopPrice')}' sent when not required.")
    quote = number(params, "quoteOrderQty") if not prefix else None
    if quantity is None and quote is None:
        raise ApiError(400, -1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were "
                                   "empty/null!")
    if quantity is not None and quote is not None:
        raise ApiError(400, -1106, "Parameter 'quoteOrderQty' sent when not required.")
    try:
        return OrderRequest(symbol, side, order_type, client_id(params, p("newClientOrderId" if not prefix
                                                                          else "clientOrderId"), fallback_id),
                            quantity=quantity, quote_quantity=quote, price=price, stop_price=stop,
                            time_in_force=tif)
    except ValueError as exc:
        raise ApiError(400, -1102, f"{exc}.") from None


def side_of(params: Mapping[str, str]) -> Side:
    return _enum(Side, params, "side", -1117, "side")  # type: ignore[no-any-return]


def fill_json(fill: Fill) -> Json:
    return {"price": s8(fill.price), "qty": s8(fill.quantity), "commission": s8(fill.commission),
            "commissionAsset": fill.commission_asset, "tradeId": fill.trade_id}


def order_json(report: OrderReport, *, kind: str = "RESULT", now_ms: int = 0) -> Json:
    """kind: ACK / RESULT / FULL (new order), QUERY (GET order, openOrders)."""
    tif = "GTC"
    body: Json = {"symbol": report.symbol, "orderId": report.order_id, "orderListId": report.order_list_id,
                  "clientOrderId": report.client_order_id}
    if kind != "QUERY":
        body["transactTime"] = now_ms or report.update_time_ms or report.time_ms
    if kind == "ACK":
        return body
    body.update({"price": s8(report.price), "origQty": s8(report.quantity),
                 "executedQty": s8(report.executed_quantity),
                 "cummulativeQuoteQty": s8(report.cumulative_quote),
                 "status": report.status.value, "timeInForce": tif, "type": report.type.value,
                 "side": report.side.value})
    if report.type in _STOP_TYPES or kind == "QUERY":
        body["stopPrice"] = s8(report.stop_price)
    working = -1 if report.type in _STOP_TYPES and report.status.value == "NEW" else report.time_ms
    body.update({"workingTime": working, "origQuoteOrderQty": s8(Decimal(0)),
                 "selfTradePreventionMode": "NONE"})
    if kind == "QUERY":
        body.update({"icebergQty": s8(Decimal(0)), "time": report.time_ms,
                     "updateTime": report.update_time_ms or report.time_ms,
                     "isWorking": working != -1 and not report.status.is_final})
    if kind == "FULL":
        body["fills"] = [fill_json(f) for f in report.fills]
    return body


def cancel_json(report: OrderReport, cancel_id: str, now_ms: int) -> Json:
    body = order_json(report, now_ms=now_ms)
    body["origClientOrderId"] = report.client_order_id
    body["clientOrderId"] = cancel_id
    return body


def list_json(report: OrderListReport, *, now_ms: int, with_reports: str | None) -> Json:
    done = report.status is ListStatus.ALL_DONE
    body: Json = {
        "orderListId": report.order_list_id, "contingencyType": "OCO",
        "listStatusType": "ALL_DONE" if done else "EXEC_STARTED", "listOrderStatus": report.status.value,
        "listClientOrderId": report.list_client_id, "transactionTime": now_ms, "symbol": report.symbol,
        "orders": [{"symbol": o.symbol, "orderId": o.order_id, "clientOrderId": o.client_order_id}
                   for o in report.orders]}
    if with_reports is not None:
        body["orderReports"] = [order_json(o, kind=with_reports, now_ms=now_ms) for o in report.orders]
    return body


def balance_json(balance: Balance) -> Json:
    return {"asset": balance.asset, "free": s8(balance.free), "locked": s8(balance.locked)}
