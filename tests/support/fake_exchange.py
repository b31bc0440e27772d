"""An honest in-memory Exchange: one spot account, one settable price per symbol.

It keeps the port's promises and Binance's rules that the use cases rely on: fills at the current price,
commission in the received asset, filters checked with SymbolRules, balances locked by an OCO, the OCO
price relationship (TP > price > stop), the take-profit leg's type (a LIMIT_MAKER fills at its price with
the maker fee, a TAKE_PROFIT at the market with the taker fee), -2011 "Unknown order" when cancelling a
finished order list, idempotent client ids (a retry returns the first report, never a second order).
Failures are scripted per method with `fail_next`, and `before_cancel_list` lets a test make a leg fill
during a cancel.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from types import TracebackType
from typing import Self

from tests.support.fake_venue import FakeVenue, Oco

from domain.orders import (
    Balance,
    ListStatus,
    OcoRequest,
    OrderListReport,
    OrderReport,
    OrderRequest,
    OrderStatus,
    OrderType,
)
from domain.rules import SymbolRules
from domain.values import Side
from ports.errors import ExchangeUnavailable, OrderNotFound, OrderRejected

D = Decimal


class FakeExchange(FakeVenue):
    def __init__(self, rules: Mapping[str, SymbolRules], balances: Mapping[str, str | Decimal],
                 prices: Mapping[str, str | Decimal], *, fee_rate: str = "0.001",
                 maker_fee_rate: str | None = None, now_ms: Callable[[], int] = lambda: 0) -> None:
        super().__init__(rules, balances, prices, fee_rate, now_ms, maker_fee_rate)
        self.requests: list[OrderRequest | OcoRequest] = []  # every new request that reached the venue
        self.calls: list[str] = []
        self.entered = False
        self.before_cancel_list: Callable[[], None] | None = None
        self._failures: defaultdict[str, list[BaseException]] = defaultdict(list)
        self._lost: defaultdict[str, int] = defaultdict(int)

    # -- scripting --------------------------------------------------------------------------------
    def fail_next(self, method: str, *errors: BaseException) -> None:
        """The next calls of `method` raise these errors, before reaching the venue."""
        self._failures[method].extend(errors)

    def lose_next_response(self, method: str, times: int = 1) -> None:
        """The next calls of `method` DO execute, then time out (Binance 5xx/-1007: status unknown)."""
        self._lost[method] += times

    def _maybe_lose(self, method: str) -> None:
        if self._lost[method]:
            self._lost[method] -= 1
            raise ExchangeUnavailable("Timeout waiting for response from backend server.", code=-1007)

    def orders_placed(self) -> list[OrderRequest]:
        return [r for r in self.requests if isinstance(r, OrderRequest)]

    def set_price(self, symbol: str, price: str | Decimal | float) -> None:
        """Move the market; OCO legs and resting maker buys that the move reaches execute."""
        p = D(str(price))
        self.prices[symbol] = p
        for oco in [o for o in self._lists.values() if o.request.symbol == symbol]:
            if oco.status is ListStatus.EXECUTING:
                self._trigger(oco, p)
        for order in [o for o in self._orders.values() if o.symbol == symbol and o.order_list_id < 0]:
            if order.type in (OrderType.LIMIT_MAKER, OrderType.LIMIT) and order.status is OrderStatus.NEW \
                    and order.side is Side.BUY and p <= order.price:
                self._fill_resting_buy(order)

    # -- the port ---------------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        self.entered = True
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.entered = False

    async def symbol_rules(self) -> Mapping[str, SymbolRules]:
        self._call("symbol_rules")
        return dict(self.rules)

    async def balances(self) -> Mapping[str, Balance]:
        self._call("balances")
        assets = set(self.free) | set(self.locked)
        return {a: Balance(a, self.free[a], self.locked[a]) for a in assets if self.free[a] or self.locked[a]}

    async def place_order(self, request: OrderRequest) -> OrderReport:
        self._call("place_order")
        report = self._place_order(request)
        self._maybe_lose("place_order")
        return report

    def _place_order(self, request: OrderRequest) -> OrderReport:
        if request.client_order_id in self._by_client:
            return self._orders[self._by_client[request.client_order_id]]
        self.requests.append(request)
        rules = self._rules(request.symbol)
        price = self.prices[request.symbol]
        if request.type is OrderType.MARKET:
            if request.quote_quantity is not None:
                qty = rules.round_qty(request.quote_quantity / price, market=True)
            else:
                qty = request.quantity or D(0)
            self._check(rules.violations(quantity=qty, price=price, market=True))
            return self._fill_market(request, rules, qty, price)
        if request.type in (OrderType.LIMIT_MAKER, OrderType.LIMIT) and request.side is Side.BUY:
            assert request.price is not None and request.quantity is not None
            if request.type is OrderType.LIMIT_MAKER and request.price >= price:
                raise OrderRejected("Order would immediately match and take.", code=-2010)
            if request.price >= price:  # a marketable LIMIT buy takes at the market, like a market order
                self._check(rules.violations(quantity=request.quantity, price=request.price))
                return self._fill_market(request, rules, request.quantity, price)
            self._check(rules.violations(quantity=request.quantity, price=request.price))
            self._move(rules.quote_asset, request.quantity * request.price, lock=True)
            return self._store(OrderReport(
                request.symbol, self._id(), request.client_order_id, Side.BUY, request.type,
                OrderStatus.NEW, request.quantity, D(0), D(0), price=request.price, time_ms=self.now_ms()))
        raise OrderRejected(f"{request.type} {request.side} is not supported by the fake", code=-1116)

    async def place_oco(self, request: OcoRequest) -> OrderListReport:
        self._call("place_oco")
        report = self._place_oco(request)
        self._maybe_lose("place_oco")
        return report

    def _place_oco(self, request: OcoRequest) -> OrderListReport:
        if request.list_client_id in self._lists_by_client:
            return self._list_report(self._lists[self._lists_by_client[request.list_client_id]])
        self.requests.append(request)
        rules = self._rules(request.symbol)
        price = self.prices[request.symbol]
        if not request.take_profit_price > price > request.stop_price:
            raise OrderRejected("The relationship of the prices for the orders is not correct.", code=-2010)
        low = request.stop_limit_price if request.stop_limit_price is not None else request.stop_price
        self._check(rules.violations(quantity=request.quantity, price=request.take_profit_price)
                    + rules.violations(quantity=request.quantity, price=low, stop_price=request.stop_price))
        self._move(rules.base_asset, request.quantity, lock=True)
        list_id = self._id()
        kind = request.take_profit_type
        target = request.take_profit_price
        tp = self._leg(request, list_id, kind, D(0) if kind is OrderType.TAKE_PROFIT else target,
                       D(0) if kind is OrderType.LIMIT_MAKER else target)
        stop_type = OrderType.STOP_LOSS if request.stop_limit_price is None else OrderType.STOP_LOSS_LIMIT
        sl = self._leg(request, list_id, stop_type, request.stop_limit_price or D(0), request.stop_price)
        oco = Oco(request, list_id, tp.order_id, sl.order_id)
        self._lists[list_id] = oco
        self._lists_by_client[request.list_client_id] = list_id
        return self._list_report(oco)

    def _leg(self, request: OcoRequest, list_id: int, kind: OrderType, price: Decimal,
             stop: Decimal) -> OrderReport:
        return self._store(OrderReport(
            request.symbol, self._id(), f"leg-{list_id}-{kind}", Side.SELL, kind, OrderStatus.NEW,
            request.quantity, D(0), D(0), price=price, stop_price=stop, time_ms=self.now_ms(),
            order_list_id=list_id))

    async def cancel_order(self, symbol: str, order_id: int) -> OrderReport:
        self._call("cancel_order")
        order = self._orders.get(order_id)
        if order is None or order.status.is_final:
            raise OrderNotFound("Unknown order sent.", code=-2011)
        if order.order_list_id >= 0:
            return (await self.cancel_order_list(symbol, order.order_list_id)).orders[0]
        rules = self._rules(symbol)
        self._move(rules.quote_asset, (order.quantity - order.executed_quantity) * order.price, lock=False)
        return self._store(replace(order, status=OrderStatus.CANCELED, update_time_ms=self.now_ms()))

    async def cancel_order_list(self, symbol: str, order_list_id: int) -> OrderListReport:
        self._call("cancel_order_list")
        hook, self.before_cancel_list = self.before_cancel_list, None
        if hook is not None:
            hook()
        oco = self._lists.get(order_list_id)
        if oco is None or oco.status is not ListStatus.EXECUTING:
            raise OrderNotFound("Unknown order sent.", code=-2011)
        self._move(self._rules(symbol).base_asset, oco.request.quantity, lock=False)
        for leg_id in (oco.take_profit_id, oco.stop_id):
            leg = self._orders[leg_id]
            self._store(replace(leg, status=OrderStatus.CANCELED, update_time_ms=self.now_ms()))
        oco.status = ListStatus.ALL_DONE
        return self._list_report(oco)

    async def get_order(self, symbol: str, order_id: int) -> OrderReport:
        self._call("get_order")
        if order_id not in self._orders:
            raise OrderNotFound("Order does not exist.", code=-2013)
        return self._orders[order_id]

    async def get_order_list(self, symbol: str, order_list_id: int) -> OrderListReport:
        self._call("get_order_list")
        if order_list_id not in self._lists:
            raise OrderNotFound("Order list does not exist.", code=-2018)
        return self._list_report(self._lists[order_list_id])

    async def open_orders(self, symbol: str | None = None) -> Sequence[OrderReport]:
        self._call("open_orders")
        return [o for o in self._orders.values() if not o.status.is_final and symbol in (None, o.symbol)]

    async def find_order(self, symbol: str, client_order_id: str) -> OrderReport | None:
        self._call("find_order")
        order_id = self._by_client.get(client_order_id)
        return None if order_id is None else self._orders[order_id]

    async def find_order_list(self, symbol: str, list_client_id: str) -> OrderListReport | None:
        self._call("find_order_list")
        list_id = self._lists_by_client.get(list_client_id)
        return None if list_id is None else self._list_report(self._lists[list_id])

    def _call(self, method: str) -> None:
        self.calls.append(method)
        if self._failures[method]:
            raise self._failures[method].pop(0)
