"""Binance trading payloads -> domain: orders, order lists, balances, trades, exchangeInfo.

Pure functions over decoded JSON (binance-spot-api.md 1.6-1.8; user-data events: parse_user_events.py).
A payload that cannot be real raises PayloadError naming the field; callers decide whether that is fatal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.orders import Balance, Fill, ListStatus, OrderListReport, OrderReport, OrderStatus, OrderType
from domain.rules import SymbolRules
from domain.values import Side

Payload = Mapping[str, Any]


class PayloadError(ValueError):
    """A Binance payload missing a field or holding a value that cannot be parsed."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """One `rateLimits[]` entry: at most `limit` units of `kind` per `interval_ms` (fixed window)."""

    kind: str
    interval_ms: int
    limit: int


@dataclass(frozen=True, slots=True)
class MyTrade:
    """One row of GET /api/v3/myTrades."""

    symbol: str
    order_id: int
    order_list_id: int
    time_ms: int
    is_buyer: bool
    fill: Fill


@dataclass(frozen=True, slots=True)
class ApiRestrictions:
    """GET /sapi/v1/account/apiRestrictions, the fields the live-mode preflight needs."""

    enable_withdrawals: bool
    ip_restrict: bool
    enable_reading: bool
    enable_spot_trading: bool


_INTERVAL_MS = {"SECOND": 1_000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000}


def field(payload: Payload, key: str) -> Any:
    try:
        return payload[key]
    except (KeyError, TypeError):
        raise PayloadError(f"Binance payload lacks {key!r}: {str(payload)[:200]}") from None


def dec(payload: Payload, key: str, default: str | None = None) -> Decimal:
    raw = payload.get(key, default) if default is not None else field(payload, key)
    if isinstance(raw, float) or raw is None:
        raise PayloadError(f"Binance payload field {key!r} must be a decimal string, got {raw!r}")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise PayloadError(f"Binance payload field {key!r} is not a decimal: {raw!r}") from None
    if not value.is_finite():
        raise PayloadError(f"Binance payload field {key!r} is not finite: {raw!r}")
    return value


def enum_field(kind: type[Any], payload: Payload, key: str) -> Any:
    raw = field(payload, key)
    try:
        return kind(raw)
    except ValueError:
        raise PayloadError(f"Binance payload field {key!r} has an unknown value {raw!r}") from None


def parse_fill(raw: Payload) -> Fill:
    return Fill(price=dec(raw, "price"), quantity=dec(raw, "qty"), commission=dec(raw, "commission"),
                commission_asset=str(field(raw, "commissionAsset")), trade_id=int(raw.get("tradeId", 0)))


def parse_order(raw: Payload) -> OrderReport:
    """A new-order (RESULT/FULL), query, cancel or openOrders item. ACK responses lack the state and
    are never requested by the adapter."""
    # A cancel response names the cancel itself in clientOrderId and the order in origClientOrderId.
    client_id = raw.get("origClientOrderId") or field(raw, "clientOrderId")
    time_ms = int(raw.get("transactTime", raw.get("time", 0)))
    return OrderReport(
        symbol=str(field(raw, "symbol")), order_id=int(field(raw, "orderId")), client_order_id=str(client_id),
        side=enum_field(Side, raw, "side"), type=enum_field(OrderType, raw, "type"),
        status=enum_field(OrderStatus, raw, "status"),
        quantity=dec(raw, "origQty"), executed_quantity=dec(raw, "executedQty"),
        cumulative_quote=dec(raw, "cummulativeQuoteQty"), price=dec(raw, "price", "0"),
        stop_price=dec(raw, "stopPrice", "0"), time_ms=time_ms,
        update_time_ms=int(raw.get("updateTime", time_ms)),
        order_list_id=int(raw.get("orderListId", -1)),
        fills=tuple(parse_fill(f) for f in raw.get("fills", ())),
    )


def list_order_ids(raw: Payload) -> list[int]:
    """The leg order ids of an order-list payload (present in every list response shape)."""
    return [int(field(o, "orderId")) for o in field(raw, "orders")]


def parse_order_list(raw: Payload, legs: Sequence[OrderReport] | None = None) -> OrderListReport:
    """An OCO place/cancel/query response. Place and cancel carry `orderReports`; a query does not,
    so its caller fetches the legs and passes them in."""
    if legs is None:
        legs = [parse_order(r) for r in field(raw, "orderReports")]
    by_id = {leg.order_id: leg for leg in legs}
    ordered = tuple(by_id[i] for i in list_order_ids(raw) if i in by_id) or tuple(legs)
    return OrderListReport(symbol=str(field(raw, "symbol")), order_list_id=int(field(raw, "orderListId")),
                           list_client_id=str(field(raw, "listClientOrderId")),
                           status=enum_field(ListStatus, raw, "listOrderStatus"), orders=ordered)


def parse_balances(account: Payload) -> dict[str, Balance]:
    balances = {}
    for row in field(account, "balances"):
        balance = Balance(asset=str(field(row, "asset")), free=dec(row, "free"), locked=dec(row, "locked"))
        balances[balance.asset] = balance
    return balances


def parse_taker_fee(account: Payload) -> Decimal:
    """The account's taker commission rate (0.001 = 0.1%), from commissionRates or the bps integer."""
    rates = account.get("commissionRates")
    if isinstance(rates, Mapping):
        return dec(rates, "taker")
    return Decimal(int(account.get("takerCommission", 10))) / Decimal(10_000)


def parse_my_trades(rows: Sequence[Payload]) -> list[MyTrade]:
    return [MyTrade(symbol=str(field(r, "symbol")), order_id=int(field(r, "orderId")),
                    order_list_id=int(r.get("orderListId", -1)), time_ms=int(field(r, "time")),
                    is_buyer=bool(field(r, "isBuyer")),
                    fill=Fill(price=dec(r, "price"), quantity=dec(r, "qty"), commission=dec(r, "commission"),
                              commission_asset=str(field(r, "commissionAsset")), trade_id=int(field(r, "id")),
                              is_maker=bool(r.get("isMaker", False))))
            for r in rows]


def parse_rate_limits(info: Payload) -> list[RateLimit]:
    limits = []
    for row in info.get("rateLimits", ()):
        unit = _INTERVAL_MS.get(str(field(row, "interval")))
        if unit is None:
            raise PayloadError(f"unknown rate-limit interval {row.get('interval')!r}")
        limits.append(RateLimit(kind=str(field(row, "rateLimitType")), limit=int(field(row, "limit")),
                                interval_ms=unit * int(field(row, "intervalNum"))))
    return limits


def parse_symbol_rules(info: Payload) -> dict[str, SymbolRules]:
    rules = {}
    for entry in field(info, "symbols"):
        try:
            rule = SymbolRules.from_exchange_info(entry)
        except (KeyError, InvalidOperation, ValueError) as exc:
            raise PayloadError(f"exchangeInfo entry {entry.get('symbol')!r} is malformed: {exc}") from None
        rules[rule.symbol] = rule
    return rules


def parse_api_restrictions(raw: Payload) -> ApiRestrictions:
    return ApiRestrictions(enable_withdrawals=bool(field(raw, "enableWithdrawals")),
                           ip_restrict=bool(field(raw, "ipRestrict")),
                           enable_reading=bool(raw.get("enableReading", True)),
                           enable_spot_trading=bool(raw.get("enableSpotAndMarginTrading", False)))
