"""Accepting, executing and cancelling orders and OCO lists (checks in validation.py)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from adapters.simulated.accounts import Accounts, insufficient_balance
from adapters.simulated.market import SymbolMarket
from adapters.simulated.order_state import STOP_TYPES, Lock, SimOrder, SimOrderList
from adapters.simulated.registry import OrderRegistry
from adapters.simulated.settlement import Settlement
from adapters.simulated.stats import StatsRecorder
from adapters.simulated.taking import Taker
from adapters.simulated.validation import (
    check_oco_legs,
    check_open_order_limits,
    check_quantity,
    check_request,
    check_symbol,
    rejected,
)
from domain.enum_constants import (
    ALL_DONE,
    BUY,
    CANCELED,
    EXPIRED,
    FILLED,
    FOK,
    GTC,
    IOC,
    LIMIT,
    LIMIT_MAKER,
    MARKET,
    SELL,
    STOP_LOSS,
    STOP_LOSS_LIMIT,
    TAKE_PROFIT,
    TAKE_PROFIT_LIMIT,
)
from domain.orders import (
    OcoRequest,
    OrderListReport,
    OrderReport,
    OrderRequest,
    OrderStatus,
)
from domain.rules import SymbolRules
from ports.errors import OrderRejected

ZERO = Decimal(0)


class OrderPlacement:
    def __init__(self, registry: OrderRegistry, settlement: Settlement, taker: Taker, accounts: Accounts,
                 stats: StatsRecorder, max_orders: int, max_algo: int) -> None:
        self._registry = registry
        self._settlement = settlement
        self._taker = taker
        self._accounts = accounts
        self._stats = stats
        self._max_orders = max_orders
        self._max_algo = max_algo
        self._order_ids = itertools.count(1)

    # -- single orders ----------------------------------------------------------------------------------
    def place(self, rules: SymbolRules | None, request: OrderRequest, market: SymbolMarket,
              now_ms: int) -> OrderReport:
        try:
            rules = check_symbol(rules, request.symbol)
            check_request(request, rules, market)
            self._check_room(request.symbol, [request.client_order_id], 1, int(request.type in STOP_TYPES))
            if request.type is MARKET:
                return self._market_order(request, rules, market, now_ms)
            order = self._new_order(request, now_ms)
            self._lock(order, rules, order.quantity)
        except OrderRejected:
            self._stats.rejected()
            raise
        self._accept(order)
        if order.type is LIMIT:
            self._match_limit(order, rules, market, now_ms)
        return order.report()

    def _market_order(self, request: OrderRequest, rules: SymbolRules, market: SymbolMarket,
                      now_ms: int) -> OrderReport:
        if not market.has_book and market.last_price is None:
            raise rejected("No orders on book for symbol.", -1112)
        order = self._new_order(request, now_ms)
        plan, short = self._taker.plan(order, market, rules, quantity=request.quantity,
                                       quote=request.quote_quantity, fallback=market.last_price)
        planned = ZERO  # sum(), added in the same order, without a generator per order
        for _, quantity in plan:
            planned += quantity
        if request.quote_quantity is not None:
            check_quantity(planned, rules)
            order.resize(planned)
        if request.side is BUY:
            need = request.quote_quantity or sum((p * q for p, q in plan), ZERO)
            enough = need <= self._accounts.free(rules.quote_asset)
        else:
            enough = order.quantity <= self._accounts.free(rules.base_asset)
        if not enough:
            raise insufficient_balance()
        self._accept(order)
        self._taker.execute(order, market, plan, now_ms)
        if short or order.remaining > 0 or order.executed == 0:
            self._end(order, EXPIRED, now_ms, "INSUFFICIENT_LIQUIDITY")
        else:
            self._filled(order)
        return order.report()

    def _match_limit(self, order: SimOrder, rules: SymbolRules, market: SymbolMarket, now_ms: int) -> None:
        """A LIMIT that crosses the market takes what it can at once; IOC/FOK never rest."""
        buy = order.side is BUY
        best = (market.best_ask() if buy else market.best_bid()) if market.has_book else market.last_price
        marketable = best is not None and (order.price >= best if buy else order.price <= best)
        if marketable:
            plan, _ = self._taker.plan(order, market, rules, quantity=order.quantity, limit=order.price,
                                       fallback=market.last_price)
            all_or_none = order.time_in_force is FOK
            if not all_or_none or sum((q for _, q in plan), ZERO) >= order.quantity:
                self._taker.execute(order, market, plan, now_ms)
        if order.status is FILLED:
            self._filled(order)
        elif order.time_in_force is IOC:
            self._end(order, EXPIRED, now_ms, "UNFILLED_IOC_QUANTITY_EXPIRED")
        elif order.time_in_force is FOK:
            self._end(order, EXPIRED, now_ms, "UNFILLED_FOK_ORDER_EXPIRED")

    def cancel(self, order: SimOrder, now_ms: int) -> None:
        self._end(order, CANCELED, now_ms, "NONE")

    # -- OCO lists --------------------------------------------------------------------------------------
    def place_oco(self, rules: SymbolRules | None, request: OcoRequest, market: SymbolMarket, list_id: int,
                  now_ms: int) -> OrderListReport:
        base_id = request.list_client_id[:33] or f"oco{list_id}"
        tp_type, symbol, quantity = request.take_profit_type, request.symbol, request.quantity
        # By position (symbol, side, type, client id, quantity, quote quantity, price, stop price, time in
        # force): keywords cost more, two requests per OCO.
        above = OrderRequest(
            symbol, SELL, tp_type, f"{base_id}-tp", quantity, None,
            None if tp_type is TAKE_PROFIT else request.take_profit_price,
            None if tp_type is LIMIT_MAKER else request.take_profit_price,
            GTC if tp_type is TAKE_PROFIT_LIMIT else None)
        stop_limit = request.stop_limit_price
        stop_type = STOP_LOSS if stop_limit is None else STOP_LOSS_LIMIT
        below = OrderRequest(symbol, SELL, stop_type, f"{base_id}-sl", quantity, None, stop_limit,
                             request.stop_price, None if stop_limit is None else GTC)
        return self.place_list(rules, request.list_client_id, above, below, market, list_id, now_ms)

    def place_list(self, rules: SymbolRules | None, list_client_id: str, above: OrderRequest,
                   below: OrderRequest, market: SymbolMarket, list_id: int, now_ms: int) -> OrderListReport:
        try:
            rules = check_symbol(rules, above.symbol)
            sell = above.side is SELL
            stop_leg, other = (below, above) if sell else (above, below)
            check_oco_legs(rules, stop_leg, other, market)
            ids = [list_client_id, above.client_order_id, below.client_order_id]
            self._check_room(rules.symbol, ids, 2, (above.type in STOP_TYPES) + (below.type in STOP_TYPES))
            first = self._new_order(stop_leg, now_ms, list_id)  # the stop leg first
            second = self._new_order(other, now_ms, list_id)
            self._lock(first, rules, first.quantity, legs=[first, second])
        except OrderRejected:
            self._stats.rejected()
            raise
        order_list = SimOrderList(list_id, list_client_id or f"list{list_id}", rules.symbol,
                                  above=second if sell else first, below=first if sell else second)
        self._registry.add_list(order_list)
        self._accept(first)
        self._accept(second)
        return order_list.report()

    def cancel_list(self, order_list: SimOrderList, now_ms: int, *,
                    status: OrderStatus = CANCELED, reason: str = "NONE") -> None:
        for leg in sorted(order_list.legs, key=lambda o: o.order_id):
            if leg.is_open:
                self._end(leg, status, now_ms, reason)
        order_list.status = ALL_DONE

    def expire(self, order: SimOrder, now_ms: int, reason: str) -> None:
        """The exchange ends a resting order itself (maintenance, delisting): EXPIRED, funds released."""
        self._end(order, EXPIRED, now_ms, reason)

    # -- shared steps -----------------------------------------------------------------------------------
    def _check_room(self, symbol: str, client_ids: list[str], adding: int, adding_algo: int) -> None:
        registry = self._registry
        for cid in client_ids:
            if cid and registry.client_id_in_use(symbol, cid):
                raise rejected("Duplicate order sent.")
        open_orders, algo = registry.open_counts(symbol)
        check_open_order_limits(open_orders, algo, adding, adding_algo, self._max_orders, self._max_algo)

    def _new_order(self, request: OrderRequest, now_ms: int, order_list_id: int = -1) -> SimOrder:
        order_id = next(self._order_ids)
        return SimOrder(  # by position, in SimOrder's field order (up to order_list_id): two per OCO
            order_id, request.client_order_id or f"sim{order_id}", request.symbol, request.side, request.type,
            request.quantity or ZERO, request.price or ZERO, request.stop_price or ZERO,
            request.time_in_force, now_ms, None, ZERO, request.quote_quantity, order_list_id)

    def _lock(self, order: SimOrder, rules: SymbolRules, quantity: Decimal,
              legs: list[SimOrder] | None = None) -> None:
        """Lock what the order (or every leg of a list, once) may spend; -2010 if it is not free."""
        legs = legs or [order]
        if order.side is SELL:
            lock = Lock(rules.base_asset, quantity)
        else:
            per_unit = max((leg.price if leg.price > 0 else leg.stop_price) for leg in legs)
            lock = Lock(rules.quote_asset, quantity * per_unit)
            for leg in legs:
                leg.lock_price = per_unit
        self._accounts.lock(lock.asset, lock.amount)
        for leg in legs:
            leg.lock = lock

    def _accept(self, order: SimOrder) -> None:
        self._registry.add(order)
        self._stats.placed(order.type, oco_leg=order.order_list_id >= 0)
        if self._settlement.listeners:  # (a backtest has no one listening: no call)
            self._settlement.announce(order, "NEW")

    def _filled(self, order: SimOrder) -> None:
        self._settlement.release_lock(order)
        self._settlement.completed(order)
        self._registry.closed(order)

    def _end(self, order: SimOrder, status: OrderStatus, now_ms: int, reason: str) -> None:
        self._settlement.finish(order, status, now_ms, reason=reason)
        self._registry.closed(order)
