"""Closing a position (manage_positions.py decides when): cancel its OCO (a leg that filled meanwhile is the
exit), sell what is left at market with the symbol's dust when together they make one more step, record
the trade; what no order can sell becomes dust. A failed sale keeps the exit pending for the next tick.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from decimal import Decimal
from typing import TYPE_CHECKING

from application.bound_logs import symbol_log
from application.exit_orders import ExitOrders
from application.fills import FeeModel, executed, log_closed_trade, trade_from_sales
from application.holdings import DustLedger, holding, lot_of
from application.oco_watch import OcoWatch
from application.protection import UNSELLABLE_FILTERS, market_sale_problem
from domain.orders import OrderReport, OrderStatus, OrderType
from domain.position import CompletedTrade, ExitReason, Position
from domain.rules import SymbolRules
from ports.clock import Clock
from ports.errors import OrderRejected

if TYPE_CHECKING:
    from loguru import Logger

_TAKE_PROFIT_TYPES = frozenset({OrderType.LIMIT_MAKER, OrderType.LIMIT, OrderType.TAKE_PROFIT,
                                OrderType.TAKE_PROFIT_LIMIT})


def leg_reason(leg: OrderReport) -> ExitReason:
    return ExitReason.TP if leg.type in _TAKE_PROFIT_TYPES else ExitReason.SL


class ClosePositions:
    """The closing half of ManagePositions (its base): the attributes below are the ones it builds."""

    _clock: Clock
    _fees: FeeModel
    _on_closed: Callable[[CompletedTrade], None]
    _mode: str
    watch: OcoWatch
    dust: DustLedger
    _orders: ExitOrders
    _rules: Mapping[str, SymbolRules]
    _positions: MutableMapping[str, Position]
    _exits: dict[str, ExitReason]
    _sales: dict[str, list[OrderReport]]
    _last_price: dict[str, float]
    _held: frozenset[str] | None
    version: int

    async def close(self, symbol: str, reason: ExitReason, now_ms: int) -> CompletedTrade | None:
        """Cancel the OCO (taking a leg that filled meanwhile), sell what is left at market."""
        position = self._positions[symbol]
        self._exits.setdefault(symbol, reason)
        sales = self._sales.setdefault(symbol, [])
        if position.oco_list_id >= 0:
            listing = await self._orders.cancel_oco(position)
            leg = listing.filled_leg if listing is not None else None
            if leg is not None:
                sales.append(leg)
                if leg.status is OrderStatus.FILLED:
                    self._exits[symbol] = leg_reason(leg)  # the exchange got there first: take that fill
            position = position.without_oco()
            self._positions[symbol] = position
            self.version += 1
        rules = self._rules[symbol]
        lost = self._orders.lost(symbol)
        if lost is not None:  # the last sale's answer never came: the same id asks for its fate
            sales.append(await self._orders.send(lost))
        sold = executed(sales)
        remaining = Decimal(repr(position.quantity)) - sold
        with_dust = self._take_dust_along(position, remaining, rules)
        if with_dust is not position:
            position, remaining = with_dust, Decimal(repr(with_dust.quantity)) - sold
        unsellable = None
        sellable = rules.round_qty(remaining, market=True) > 0
        if sellable:
            unsellable = market_sale_problem(rules, remaining, Decimal(repr(self._price(position))))
        if unsellable is None and sellable:
            free = await self._orders.free(rules.base_asset)
            quantity = rules.round_qty(min(remaining, free), market=True)
            if quantity > 0:
                try:
                    sale = await self._orders.sell(position, quantity)
                except OrderRejected as exc:
                    if exc.filter_type not in UNSELLABLE_FILTERS:
                        raise
                    unsellable = str(exc)  # this quantity can never be sold as it is: stop asking
                else:
                    sales.append(sale)
                    if rules.round_qty(quantity - sale.executed_quantity, market=True) > 0:
                        self._log(symbol).warning("Sale of {} only filled {:f} of {:f}: the rest next tick",
                                                  symbol, sale.executed_quantity, quantity)
                        return None
            elif not sold:  # nothing was added to the sales since `sold` was counted
                self._log(symbol).error("Position {} has nothing left to sell on the account: dropped "
                                        "unrecorded", symbol)
                self._forget(symbol)
                return None
        return self._finish(position, sales, rules, unsellable)

    def _take_dust_along(self, position: Position, remaining: Decimal, rules: SymbolRules) -> Position:
        """The position plus the symbol's dust, when together they make one more step a sale can sell;
        `remaining`: what of the position is left to sell."""
        dust = self.dust.quantity(position.symbol)
        if not dust:  # nothing to take along (the rounding below could not differ)
            return position
        together = remaining + dust
        if rules.round_qty(together, market=True) <= rules.round_qty(remaining, market=True) or \
                market_sale_problem(rules, together, Decimal(repr(self._price(position)))) is not None:
            return position
        taken = self.dust.take(position.symbol)
        if taken is not None:
            position = holding(position, lot_of(position) + taken)
            self._positions[position.symbol] = position
            self.version += 1
        return position

    def _finish(self, position: Position, sales: list[OrderReport], rules: SymbolRules,
                unsellable: str | None) -> CompletedTrade | None:
        """Record what was sold, at the trading clock's now (the entry's clock, never the exchange's);
        what is left (below a step, or unsellable) becomes dust."""
        symbol, sold, reason = position.symbol, executed(sales), self._exits[position.symbol]
        left = lot_of(position).split(sold)[1]
        if rules.round_qty(left.quantity, market=True) <= 0 or unsellable is not None:
            self.dust.add(symbol, left, self._price(position), unsellable=unsellable)
        else:  # a sale smaller than the position for want of free balance: not on the account
            self._log(symbol).error("{:f} {} of the position is not on the account any more: not counted",
                                    left.quantity, rules.base_asset)
        if sold <= 0:
            self._forget(symbol)
            return None
        trade = trade_from_sales(position, sales, reason, self._clock.now_ms(), self._fees, rules)
        log_closed_trade(trade, self._mode)
        self._on_closed(trade)  # recorded before the position is dropped: a crash between the two is
        self._forget(symbol)  # journaled once by recovery, never lost
        return trade

    async def close_all(self, reason: ExitReason, now_ms: int) -> list[str]:
        """Close every position; returns the symbols that could not be closed."""
        failed = []
        for symbol in list(self._positions):
            try:
                await self.close(symbol, reason, now_ms)
            except Exception as exc:  # one failure must not stop closing the others
                self._log(symbol).error("Could not close {} ({}): {}", symbol, reason.value, exc)
            if symbol in self._positions:
                failed.append(symbol)
        return failed

    def _price(self, position: Position) -> float:
        return self._last_price.get(position.symbol, position.entry_price)

    def _forget(self, symbol: str) -> None:
        for state in (self._positions, self._exits, self._sales, self._last_price):
            state.pop(symbol, None)
        self._held = None
        self.version += 1
        self.watch.forget(symbol)
        self._orders.forget(symbol)

    def _log(self, symbol: str) -> Logger:
        return symbol_log(symbol, self._mode)
