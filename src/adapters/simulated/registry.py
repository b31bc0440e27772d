"""Every order and OCO list the engine has seen, indexed the ways Binance looks them up.

Lookups stay O(1) however long a backtest runs: by id, by client id, and the open orders per symbol.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from adapters.simulated.order_state import SimOrder, SimOrderList
from adapters.simulated.resting import wakes_at


class OrderRegistry:
    def __init__(self) -> None:
        self._orders: dict[int, SimOrder] = {}
        self._lists: dict[int, SimOrderList] = {}
        self._open: dict[str, dict[int, SimOrder]] = {}  # symbol -> order id -> open order, in id order
        self._by_client_id: dict[tuple[str, str], list[SimOrder]] = {}
        self._lists_by_client_id: dict[str, SimOrderList] = {}  # the most recent list with that id
        self._wake: dict[str, tuple[float, float]] = {}  # symbol -> wake_prices, until its orders change

    def add(self, order: SimOrder) -> None:
        self._orders[order.order_id] = order
        self._by_client_id.setdefault((order.symbol, order.client_order_id), []).append(order)
        if order.is_open:
            self._open.setdefault(order.symbol, {})[order.order_id] = order
            self._wake.pop(order.symbol, None)

    def add_list(self, order_list: SimOrderList) -> None:
        self._lists[order_list.order_list_id] = order_list
        self._lists_by_client_id[order_list.list_client_id] = order_list

    def closed(self, order: SimOrder) -> None:
        """Forget an order from the open index once its status is final."""
        self._wake.pop(order.symbol, None)
        book = self._open.get(order.symbol)
        if book is not None:
            book.pop(order.order_id, None)
            if not book:  # only symbols with an open order stay: listing every open order walks those
                del self._open[order.symbol]

    def order(self, symbol: str, order_id: int | None, client_order_id: str | None) -> SimOrder | None:
        """By id, or by client id (the open order first, else the most recent one with that id)."""
        if order_id is not None:
            found = self._orders.get(order_id)
            if found is None or found.symbol != symbol:
                return None
            if client_order_id is not None and found.client_order_id != client_order_id:
                return None
            return found
        if client_order_id is None:
            return None
        candidates = self._by_client_id.get((symbol, client_order_id), [])
        open_ones = [o for o in candidates if o.is_open]
        best = open_ones or candidates
        return best[-1] if best else None

    def order_list(self, order_list_id: int | None, list_client_id: str | None) -> SimOrderList | None:
        if order_list_id is not None:
            return self._lists.get(order_list_id)
        return self._lists_by_client_id.get(list_client_id or "")

    def list_of(self, order: SimOrder) -> SimOrderList | None:
        return self._lists.get(order.order_list_id) if order.order_list_id >= 0 else None

    def open_orders(self, symbol: str | None = None) -> list[SimOrder]:
        if symbol is not None:
            return [o for o in self._open.get(symbol, {}).values() if o.is_open]
        return sorted((o for book in self._open.values() for o in book.values() if o.is_open),
                      key=lambda o: o.order_id)

    def open_unchecked(self, symbol: str) -> list[SimOrder]:
        """open_orders(symbol) without its is_open test: the same list, but for an order that ended
        inside a pass and is not forgotten yet (`closed`): for a caller that tests is_open itself."""
        book = self._open.get(symbol)
        return list(book.values()) if book else []

    def open_counts(self, symbol: str) -> tuple[int, int]:
        """(open orders, open algo orders) of `symbol`: len(open_orders(symbol)) and how many are algo,
        without building the list (asked before every order)."""
        orders = algo = 0
        book = self._open.get(symbol)
        if book:
            for order in book.values():
                if order.is_open:
                    orders += 1
                    algo += order.is_algo
        return orders, algo

    def has_open(self, symbol: str) -> bool:
        return bool(self._open.get(symbol))

    def wake_prices(self, symbol: str) -> tuple[float, float]:
        """(the highest price a falling market must reach, the lowest a rising one must reach) to move any
        open order of `symbol`, as floats: a bar with low > the first and high < the second moves none.
        Exact against the Decimal prices: float() rounds correctly, so a float low above float(P) is a
        Decimal low above P. Kept until the symbol's orders change (`add`, `closed`, `changed`)."""
        found = self._wake.get(symbol)
        if found is None:
            fall, rise = -math.inf, math.inf
            for order in self._open.get(symbol, {}).values():
                if order.is_open:
                    falls, price = wakes_at(order)
                    if falls:
                        fall = max(fall, float(price))
                    else:
                        rise = min(rise, float(price))
            found = self._wake[symbol] = (fall, rise)
        return found

    def changed(self, symbol: str) -> None:
        """An open order of `symbol` changed how it waits (a stop-limit triggered into a limit)."""
        self._wake.pop(symbol, None)

    def client_id_in_use(self, symbol: str, client_id: str) -> bool:
        """Taken by an open order, or by an OCO list with an open leg (Binance: -2010 Duplicate)."""
        orders = self._by_client_id.get((symbol, client_id))
        if orders and any(o.is_open for o in orders):
            return True
        order_list = self._lists_by_client_id.get(client_id)
        return order_list is not None and order_list.symbol == symbol and (
            order_list.above.is_open or order_list.below.is_open)

    def all_orders(self, symbol: str) -> Iterator[SimOrder]:
        return (o for o in self._orders.values() if o.symbol == symbol)
