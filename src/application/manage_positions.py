"""Manage open positions: trailing stop, timeout, OCO fills, and closing at market (spec 2.2 step 6).

The OCO resting on the exchange executes take-profit and stop-loss by itself; the bot polls it (at a
bounded rate) to learn the real fill. Timeout, trailing stop and the kill switch are the bot's own
exits: cancel the OCO, then sell the free quantity at market. When the cancel finds the OCO already
finished (a leg filled in the meantime), that fill is the exit. A sale that fails keeps the exit pending:
the next tick retries it with the same client id, so it is never sold twice. Every completed trade goes
to `on_closed` (the loop records it) the moment it is known.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from loguru import logger

from application.exchange_calls import client_order_id, with_retries
from application.fills import FeeModel, PriceOf, executed, log_closed_trade, trade_from_sales
from application.trading_config import RetryPolicy
from domain.orders import ListStatus, OrderListReport, OrderReport, OrderRequest, OrderStatus, OrderType
from domain.position import CompletedTrade, ExitReason, Position
from domain.rules import SymbolRules
from domain.values import Side
from ports.clock import Clock
from ports.errors import ExchangeUnavailable, OrderNotFound, OrderRejected
from ports.exchange import Exchange

if TYPE_CHECKING:
    from loguru import Logger

T = TypeVar("T")
_TAKE_PROFIT_TYPES = frozenset({OrderType.LIMIT_MAKER, OrderType.LIMIT, OrderType.TAKE_PROFIT,
                                OrderType.TAKE_PROFIT_LIMIT})
_BOT_EXITS = frozenset({ExitReason.TIMEOUT, ExitReason.TRAILING})


def leg_reason(leg: OrderReport) -> ExitReason:
    return ExitReason.TP if leg.type in _TAKE_PROFIT_TYPES else ExitReason.SL


class ManagePositions:
    def __init__(self, exchange: Exchange, clock: Clock, fees: FeeModel, retry: RetryPolicy,
                 on_closed: Callable[[CompletedTrade], None], *, poll_interval_ms: int = 1_000,
                 mode: str = "paper") -> None:
        self._exchange, self._clock, self._fees, self._retry = exchange, clock, fees, retry
        self._on_closed, self._poll_interval_ms, self._mode = on_closed, poll_interval_ms, mode
        self._rules: Mapping[str, SymbolRules] = {}
        self._positions: dict[str, Position] = {}
        self._exits: dict[str, ExitReason] = {}  # exit decided, not finished yet
        self._sales: dict[str, list[OrderReport]] = {}  # what of that exit has executed so far
        self._attempts: dict[str, int] = {}
        self._in_flight: dict[str, OrderRequest] = {}  # a sale sent whose answer was lost
        self._last_poll_ms: dict[str, int] = {}
        self._last_price: dict[str, float] = {}

    # -- book keeping ---------------------------------------------------------------------------------
    def set_rules(self, rules: Mapping[str, SymbolRules]) -> None:
        self._rules = rules

    def add(self, position: Position, lost_sale: OrderRequest | None = None) -> None:
        """Manage `position`; `lost_sale` is a sale of it already sent whose answer never came."""
        self._positions[position.symbol] = position
        self._last_poll_ms[position.symbol] = position.entry_time_ms
        if lost_sale is not None:
            self._in_flight[position.symbol] = lost_sale

    @property
    def positions(self) -> Mapping[str, Position]:
        return self._positions

    @property
    def held(self) -> frozenset[str]:
        return frozenset(self._positions)

    def marked_value(self, price_of: PriceOf) -> float:
        """Positions valued at the last price seen (the entry price when none yet)."""
        return sum(p.quantity * (price_of(p.symbol) or self._last_price.get(p.symbol, p.entry_price))
                   for p in self._positions.values())

    def mark_unprotected(self, symbol: str, why: str) -> None:
        if symbol in self._positions:
            self._log(symbol).warning("Position {} has no OCO any more ({}): closing it at market", symbol,
                                      why)
            self._positions[symbol] = replace(self._positions[symbol], oco_list_id=-1)

    # -- reactions ------------------------------------------------------------------------------------
    async def on_price(self, symbol: str, low: float, high: float, last: float, now_ms: int) -> None:
        """A price range seen on a held symbol: move the trailing stop, act on the exit that is due."""
        position = self._positions.get(symbol)
        if position is None:
            return
        self._last_price[symbol] = last
        position = position.with_price(high)
        self._positions[symbol] = position
        await self._act(symbol, position.exit_due(now_ms, low, high), now_ms)

    async def on_tick(self, now_ms: int) -> None:
        """Timeouts without prices, pending exits, unprotected positions and the bounded OCO poll."""
        for symbol in list(self._positions):
            position = self._positions[symbol]
            try:
                if symbol in self._exits:
                    await self.close(symbol, self._exits[symbol], now_ms)
                elif position.oco_list_id < 0:
                    await self.close(symbol, ExitReason.UNPROTECTED, now_ms)
                else:
                    price = self._last_price.get(symbol, position.entry_price)
                    await self._act(symbol, position.exit_due(now_ms, price, price), now_ms)
            except (OrderRejected, OrderNotFound) as exc:  # this symbol's problem: the others go on
                self._log(symbol).error("Managing {} failed: {}; retried next tick", symbol, exc)

    async def _act(self, symbol: str, reason: ExitReason | None, now_ms: int) -> None:
        policy = self._positions[symbol].policy
        if reason not in _BOT_EXITS and self._positions[symbol].held_sec(now_ms) >= max(policy.timeout_sec,
                                                                                       policy.min_hold_sec):
            reason = ExitReason.TIMEOUT  # also below a stop-limit the market skipped: the timeout bounds it
        if reason in _BOT_EXITS:
            await self.close(symbol, reason, now_ms)
        elif now_ms - self._last_poll_ms.get(symbol, 0) >= self._poll_interval_ms:
            await self.poll(symbol, now_ms)

    async def poll(self, symbol: str, now_ms: int) -> None:
        """Ask the exchange how the OCO stands; a finished leg closes the position at its real fill."""
        position = self._positions.get(symbol)
        if position is None or position.oco_list_id < 0:
            return
        self._last_poll_ms[symbol] = now_ms
        try:
            listing = await self._call(lambda: self._exchange.get_order_list(symbol, position.oco_list_id),
                                       f"OCO status {symbol}")
        except OrderNotFound:
            self.mark_unprotected(symbol, "the exchange does not know its OCO")
            return
        if listing.status is ListStatus.EXECUTING:
            return
        leg = listing.filled_leg
        if leg is None:
            self.mark_unprotected(symbol, f"its OCO ended ({listing.status.value}) without a fill")
            return
        self._sales[symbol] = [leg]
        self._exits[symbol] = leg_reason(leg)
        self._positions[symbol] = replace(position, oco_list_id=-1)
        await self.close(symbol, leg_reason(leg), now_ms)

    async def close(self, symbol: str, reason: ExitReason, now_ms: int) -> CompletedTrade | None:
        """Cancel the OCO (taking a leg that filled meanwhile), sell what is left at market."""
        position = self._positions[symbol]
        self._exits.setdefault(symbol, reason)
        sales = self._sales.setdefault(symbol, [])
        if position.oco_list_id >= 0:
            listing = await self._cancel_oco(position)
            leg = listing.filled_leg if listing is not None else None
            if leg is not None:
                sales.append(leg)
                if leg.status is OrderStatus.FILLED:
                    self._exits[symbol] = leg_reason(leg)  # the exchange got there first: take that fill
            position = replace(position, oco_list_id=-1)
            self._positions[symbol] = position
        rules = self._rules[symbol]
        lost = self._in_flight.get(symbol)
        if lost is not None:  # the last sale's answer never came: the same id asks for its fate
            sales.append(await self._send(lost))
        remaining = Decimal(repr(position.quantity)) - executed(sales)
        if rules.round_qty(remaining, market=True) > 0:
            free = await self._free(rules.base_asset)
            quantity = rules.round_qty(min(remaining, free), market=True)
            if quantity > 0:
                attempt = self._attempts.get(symbol, 0)
                sale = await self._send(OrderRequest(
                    symbol, Side.SELL, OrderType.MARKET,
                    client_order_id("x", symbol, position.entry_time_ms, attempt), quantity=quantity))
                sales.append(sale)
                if rules.round_qty(quantity - sale.executed_quantity, market=True) > 0:
                    self._log(symbol).warning("Sale of {} only filled {:f} of {:f}: the rest next tick",
                                              symbol, sale.executed_quantity, quantity)
                    return None
        if not executed(sales):
            self._log(symbol).error("Position {} has nothing left to sell on the account: dropped unrecorded",
                                    symbol)
            self._forget(symbol)
            return None
        trade = trade_from_sales(position, sales, self._exits[symbol], now_ms, self._fees, rules)
        self._forget(symbol)
        log_closed_trade(trade, self._mode)
        self._on_closed(trade)
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

    # -- exchange steps -------------------------------------------------------------------------------
    async def _cancel_oco(self, position: Position) -> OrderListReport | None:
        symbol, list_id = position.symbol, position.oco_list_id
        try:
            return await self._call(lambda: self._exchange.cancel_order_list(symbol, list_id),
                                    f"cancel OCO {symbol}")
        except OrderNotFound:  # finished before the cancel arrived: a leg may have filled
            try:
                return await self._call(lambda: self._exchange.get_order_list(symbol, list_id),
                                        f"OCO status {symbol}")
            except OrderNotFound:
                return None

    async def _free(self, asset: str) -> Decimal:
        balances = await self._call(self._exchange.balances, "balances")
        balance = balances.get(asset)
        return balance.free if balance is not None else Decimal(0)

    async def _send(self, request: OrderRequest) -> OrderReport:
        """Place a sale. Until its report is known it stays in flight: a later attempt re-sends the very
        same request (same client id), which the exchange answers without selling twice."""
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
        self._log(symbol).info("Order placed: SELL {} MARKET {:f} -> {} @ {:.8g}", symbol, request.quantity,
                               sale.status.value, sale.average_price)
        return sale

    def _forget(self, symbol: str) -> None:
        for state in (self._positions, self._exits, self._sales, self._attempts, self._last_poll_ms,
                      self._last_price, self._in_flight):
            state.pop(symbol, None)

    def _log(self, symbol: str) -> Logger:
        return logger.bind(symbol=symbol, mode=self._mode)

    async def _call(self, call: Callable[[], Awaitable[T]], what: str) -> T:
        return await with_retries(call, clock=self._clock, policy=self._retry, what=what)
