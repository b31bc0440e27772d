"""The exchange steps of an exit: cancel the OCO, read the free balance, place a market sale exactly once.

A sale stays "in flight" until its report is known: a later attempt re-sends the very same request (same
client id), which the exchange answers without selling twice. A refused sale is forgotten (no order
exists); each sale that executed moves the symbol's attempt counter, so the next sale gets a new id.
"""

from __future__ import annotations

from decimal import Decimal

from application.bound_logs import symbol_log
from application.exchange_calls import ExchangeCalls, client_order_id
from application.trading_config import RetryPolicy
from domain.orders import OrderListReport, OrderReport, OrderRequest, OrderType
from domain.position import Position
from domain.values import Side
from ports.clock import Clock
from ports.errors import ExchangeUnavailable, OrderNotFound
from ports.exchange import Exchange


class ExitOrders:
    def __init__(self, exchange: Exchange, clock: Clock, retry: RetryPolicy, mode: str) -> None:
        self._exchange, self._clock, self._retry, self._mode = exchange, clock, retry, mode
        self._in_flight: dict[str, OrderRequest] = {}  # a sale sent whose answer was lost
        self._attempts: dict[str, int] = {}
        self._call = ExchangeCalls(exchange, clock, retry)

    def lost(self, symbol: str) -> OrderRequest | None:
        return self._in_flight.get(symbol)

    def adopt_lost(self, request: OrderRequest) -> None:
        """A sale of this symbol sent elsewhere (by OpenPosition) whose answer never came."""
        self._in_flight[request.symbol] = request

    def forget(self, symbol: str) -> None:
        self._in_flight.pop(symbol, None)
        self._attempts.pop(symbol, None)

    async def order_list(self, position: Position) -> OrderListReport:
        symbol, list_id = position.symbol, position.oco_list_id
        return await self._call(lambda: self._exchange.get_order_list(symbol, list_id),
                                f"OCO status {symbol}")

    async def cancel_oco(self, position: Position) -> OrderListReport | None:
        """Cancel the position's OCO; the list as it ended (a leg may have filled), None if unknown."""
        symbol, list_id = position.symbol, position.oco_list_id
        try:
            return await self._call(lambda: self._exchange.cancel_order_list(symbol, list_id),
                                    f"cancel OCO {symbol}")
        except OrderNotFound:  # finished before the cancel arrived: a leg may have filled
            try:
                return await self.order_list(position)
            except OrderNotFound:
                return None

    async def free(self, asset: str) -> Decimal:
        balances = await self._call(self._exchange.balances, "balances")
        balance = balances.get(asset)
        return balance.free if balance is not None else Decimal(0)

    async def sell(self, position: Position, quantity: Decimal) -> OrderReport:
        """A market sale of `quantity` for this position (a new client id per refused attempt)."""
        attempt = self._attempts.get(position.symbol, 0)
        return await self.send(OrderRequest(
            position.symbol, Side.SELL, OrderType.MARKET,
            client_order_id("x", position.symbol, position.entry_time_ms, attempt), quantity=quantity))

    async def send(self, request: OrderRequest) -> OrderReport:
        symbol = request.symbol
        self._in_flight[symbol] = request
        try:
            sale = await self._call(lambda: self._exchange.place_order(request), f"market sell {symbol}")
        except Exception as exc:
            if not isinstance(exc, ExchangeUnavailable):  # refused: no such order exists, next one is new
                del self._in_flight[symbol]
            raise
        del self._in_flight[symbol]
        self._attempts[symbol] = self._attempts.get(symbol, 0) + 1
        symbol_log(symbol, self._mode).info(
            "Order placed: SELL {} MARKET {:f} -> {} @ {:.8g}", symbol, request.quantity, sale.status,
            sale.average_price)
        return sale
