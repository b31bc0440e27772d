"""Binance order queries by id or by client id, with their fills (GET /api/v3/order, /orderList,
/openOrders, /myTrades): the read side BinanceExchange shares with start-up recovery (OrderLookup).

A query carries no fills; the order's trades give them, because the commission decides the exit's size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from adapters.binance.parse_orders import (
    MyTrade,
    PayloadError,
    list_order_ids,
    parse_my_trades,
    parse_order,
    parse_order_list,
)
from adapters.binance.signed_rest import SignedRest
from domain.orders import OrderListReport, OrderReport
from ports.errors import ExchangeError, OrderNotFound

T = TypeVar("T")
# REQUEST_WEIGHT of each query (binance-spot-api.md 1.5).
W_QUERY, W_OPEN, W_OPEN_ALL, W_ACCOUNT, W_TRADES_BY_ORDER = 4, 6, 80, 20, 5


class OrderQueries:
    rest: SignedRest

    async def get_order(self, symbol: str, order_id: int) -> OrderReport:
        return await self._with_fills(parsed(parse_order, await self.rest.call(
            "get_order", weight=W_QUERY, symbol=symbol, orderId=order_id)))

    async def open_orders(self, symbol: str | None = None) -> Sequence[OrderReport]:
        rows = await self.rest.call("get_open_orders", weight=W_OPEN if symbol else W_OPEN_ALL, symbol=symbol)
        return [parsed(parse_order, row) for row in rows]

    async def get_order_list(self, symbol: str, order_list_id: int) -> OrderListReport:
        return await self._order_list(symbol, orderListId=order_list_id)

    async def my_trades(self, symbol: str, order_id: int | None = None) -> Sequence[MyTrade]:
        weight = W_TRADES_BY_ORDER if order_id is not None else W_ACCOUNT
        return parsed(parse_my_trades, await self.rest.call("my_trades", weight=weight, symbol=symbol,
                                                              orderId=order_id))

    async def find_order(self, symbol: str, client_order_id: str) -> OrderReport | None:
        """ports.order_lookup.OrderLookup: the order with that client id (fills included), None if Binance
        never received it (-2013)."""
        try:
            return await self._with_fills(await self._find_order(symbol, client_order_id))
        except OrderNotFound:
            return None

    async def find_order_list(self, symbol: str, list_client_id: str) -> OrderListReport | None:
        try:
            return await self._find_list(symbol, list_client_id)
        except OrderNotFound:
            return None

    async def _find_order(self, symbol: str, client_id: str) -> OrderReport:
        return parsed(parse_order, await self.rest.call("get_order", weight=W_QUERY, symbol=symbol,
                                                          origClientOrderId=client_id))

    async def _find_list(self, symbol: str, list_client_id: str) -> OrderListReport:
        return await self._order_list(symbol, origClientOrderId=list_client_id)

    async def _order_list(self, symbol: str, **ident: Any) -> OrderListReport:
        raw = await self.rest.call("get_oco_order", weight=W_QUERY, **ident)
        legs = [await self.get_order(symbol, order_id) for order_id in parsed(list_order_ids, raw)]
        return parsed(lambda r: parse_order_list(r, legs), raw)

    async def _with_fills(self, report: OrderReport) -> OrderReport:
        """Queries carry no fills; the trades of the order give them (commission matters for the exit)."""
        if report.fills or report.executed_quantity == 0:
            return report
        trades = await self.my_trades(report.symbol, report.order_id)
        return replace(report, fills=tuple(t.fill for t in trades))


def parsed(parse: Callable[[Any], T], raw: Any) -> T:
    """A Binance payload parsed, or the port's ExchangeError naming what was unexpected."""
    try:
        return parse(raw)
    except PayloadError as exc:
        raise ExchangeError(f"unexpected Binance response: {exc}") from None
