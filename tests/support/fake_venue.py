"""The matching and bookkeeping half of FakeExchange: balances, order storage, fills at one price."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from domain.orders import (
    Fill,
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
from ports.errors import InsufficientBalance, OrderRejected

D = Decimal


@dataclass
class Oco:
    request: OcoRequest
    list_id: int
    take_profit_id: int
    stop_id: int
    status: ListStatus = ListStatus.EXECUTING


class FakeVenue:
    def __init__(self, rules: Mapping[str, SymbolRules], balances: Mapping[str, str | Decimal],
                 prices: Mapping[str, str | Decimal], fee_rate: str, now_ms: Callable[[], int],
                 maker_fee_rate: str | None = None) -> None:
        self.rules = dict(rules)
        self.free: defaultdict[str, Decimal] = defaultdict(Decimal, {a: D(v) for a, v in balances.items()})
        self.locked: defaultdict[str, Decimal] = defaultdict(Decimal)
        self.prices = {s: D(p) for s, p in prices.items()}
        self.fee_rate = D(fee_rate)  # taker
        self.maker_fee_rate = D(maker_fee_rate if maker_fee_rate is not None else fee_rate)
        self.now_ms = now_ms
        self._orders: dict[int, OrderReport] = {}
        self._by_client: dict[str, int] = {}
        self._lists: dict[int, Oco] = {}
        self._lists_by_client: dict[str, int] = {}
        self._next_id = 1

    # -- matching ---------------------------------------------------------------------------------
    def _fill_market(self, request: OrderRequest, rules: SymbolRules, qty: Decimal,
                     price: Decimal) -> OrderReport:
        base, quote = rules.base_asset, rules.quote_asset
        notional = qty * price
        if request.side is Side.BUY:
            self._spend(quote, notional)
            commission, asset = qty * self.fee_rate, base
            self.free[base] += qty - commission
        else:
            self._spend(base, qty)
            commission, asset = notional * self.fee_rate, quote
            self.free[quote] += notional - commission
        fill = Fill(price, qty, commission, asset, trade_id=self._id())
        now = self.now_ms()
        return self._store(OrderReport(request.symbol, self._id(), request.client_order_id, request.side,
                                       OrderType.MARKET, OrderStatus.FILLED, qty, qty, notional, time_ms=now,
                                       update_time_ms=now, fills=(fill,)))

    def _trigger(self, oco: Oco, price: Decimal) -> None:
        request = oco.request
        maker = False
        if price >= request.take_profit_price:  # a LIMIT_MAKER rests at its price; TAKE_PROFIT takes
            filled, other, at = oco.take_profit_id, oco.stop_id, request.take_profit_price
            maker = request.take_profit_type is OrderType.LIMIT_MAKER
            at = price if request.take_profit_type is OrderType.TAKE_PROFIT else at
        elif price <= request.stop_price:
            limit = request.stop_limit_price
            if limit is not None and price < limit:
                return  # a stop-limit sell below its limit rests unfilled
            filled, other, at = oco.stop_id, oco.take_profit_id, price
        else:
            return
        rules = self._rules(request.symbol)
        qty = request.quantity
        self.locked[rules.base_asset] -= qty
        commission = qty * at * (self.maker_fee_rate if maker else self.fee_rate)
        self.free[rules.quote_asset] += qty * at - commission
        now = self.now_ms()
        self._store(replace(self._orders[filled], status=OrderStatus.FILLED, executed_quantity=qty,
                            cumulative_quote=qty * at, update_time_ms=now,
                            fills=(Fill(at, qty, commission, rules.quote_asset, trade_id=self._id(),
                                        is_maker=maker),)))
        self._store(replace(self._orders[other], status=OrderStatus.EXPIRED, update_time_ms=now))
        oco.status = ListStatus.ALL_DONE

    def _fill_resting_buy(self, order: OrderReport) -> None:
        rules = self._rules(order.symbol)
        cost = order.quantity * order.price
        self.locked[rules.quote_asset] -= cost
        commission = order.quantity * self.maker_fee_rate
        self.free[rules.base_asset] += order.quantity - commission
        self._store(replace(order, status=OrderStatus.FILLED, executed_quantity=order.quantity,
                            cumulative_quote=cost, update_time_ms=self.now_ms(),
                            fills=(Fill(order.price, order.quantity, commission, rules.base_asset,
                                        is_maker=True),)))

    # -- plumbing ---------------------------------------------------------------------------------
    def _rules(self, symbol: str) -> SymbolRules:
        if symbol not in self.rules:
            raise OrderRejected("Invalid symbol.", code=-1121)
        return self.rules[symbol]

    @staticmethod
    def _check(violations: Sequence[object]) -> None:
        if violations:
            first = violations[0]
            raise OrderRejected(getattr(first, "message", str(first)), code=-1013,
                                filter_type=getattr(first, "filter_type", None))

    def _spend(self, asset: str, amount: Decimal) -> None:
        if self.free[asset] < amount:
            raise InsufficientBalance("Account has insufficient balance for requested action.", code=-2010)
        self.free[asset] -= amount

    def _move(self, asset: str, amount: Decimal, *, lock: bool) -> None:
        if lock:
            self._spend(asset, amount)
            self.locked[asset] += amount
        else:
            self.locked[asset] -= amount
            self.free[asset] += amount

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _store(self, report: OrderReport) -> OrderReport:
        self._orders[report.order_id] = report
        self._by_client.setdefault(report.client_order_id, report.order_id)
        return report

    def _list_report(self, oco: Oco) -> OrderListReport:
        legs = (self._orders[oco.take_profit_id], self._orders[oco.stop_id])
        return OrderListReport(oco.request.symbol, oco.list_id, oco.request.list_client_id, oco.status, legs)
