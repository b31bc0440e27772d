"""Finding an order by the client id the bot gave it: how start-up recovery learns the fate of an order
whose answer never came (GET /api/v3/order?origClientOrderId=, GET /api/v3/orderList?origClientOrderId=)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from domain.orders import OrderListReport, OrderReport


@runtime_checkable
class OrderLookup(Protocol):
    async def find_order(self, symbol: str, client_order_id: str) -> OrderReport | None:
        """The order with that client id, or None when the exchange never received it."""
        ...

    async def find_order_list(self, symbol: str, list_client_id: str) -> OrderListReport | None: ...
