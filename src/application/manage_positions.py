"""Manage open positions: trailing stop, timeout, OCO fills, and closing at market (spec 2.2 step 6).

The resting OCO executes take-profit and stop-loss by itself; the user-data stream tells the bot at once
(follow_orders.py calls `list_ended`); only while that stream is down does the bot poll it, at a bounded
rate, for the real fill (oco_watch.py). Timeout, trailing stop and the kill switch are the bot's own exits:
cancel the OCO (a leg that filled meanwhile is the exit), then sell at market. A failed sale keeps the
exit pending: the next tick retries it with the same client id, never selling twice. Completed trades go
to `on_closed`.

Dust (holdings.py): a market exit sells the position plus the symbol's dust when together they make one
more step, rounded down to the step and never beyond the free balance. The trade is what was sold: its
quantity, proceeds, both fees, and the cost of exactly those units (Position.close prorates the position's
average price and entry fee; dust taken along first joins the position with its own cost basis). What is
left, or what no order can sell (below the min qty or notional), becomes dust (WARNING once when
unsellable) and the position is dropped: never retried tick after tick. Equity counts dust (Account).
The closing itself (cancel, sell, record, dust) is close_positions.py, this class's base.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping

from application.close_positions import ClosePositions, leg_reason
from application.exit_orders import ExitOrders
from application.fills import FeeModel, PriceOf
from application.holdings import DustLedger
from application.oco_watch import OcoWatch
from application.trading_config import RetryPolicy
from domain.orders import ListStatus, OrderListReport, OrderReport, OrderRequest
from domain.position import CompletedTrade, ExitReason, Position
from domain.rules import SymbolRules
from ports.clock import Clock
from ports.errors import OrderNotFound, OrderRejected
from ports.exchange import Exchange

__all__ = ["ManagePositions", "leg_reason"]
_BOT_EXITS = frozenset({ExitReason.TIMEOUT, ExitReason.TRAILING})


class ManagePositions(ClosePositions):
    def __init__(self, exchange: Exchange, clock: Clock, fees: FeeModel, retry: RetryPolicy,
                 on_closed: Callable[[CompletedTrade], None], *, poll_interval_ms: int = 1_000,
                 mode: str = "paper", dust: DustLedger | None = None,
                 positions: MutableMapping[str, Position] | None = None) -> None:
        """`positions`: where the open positions live (a write-through store in paper and live)."""
        self._clock, self._fees, self._on_closed, self._mode = clock, fees, on_closed, mode
        self.watch = OcoWatch(poll_interval_ms)  # when to poll an OCO (no stream, or a lost event)
        self.dust = dust if dust is not None else DustLedger(mode)
        self._orders = ExitOrders(exchange, clock, retry, mode)
        self._rules: Mapping[str, SymbolRules] = {}
        self._positions: MutableMapping[str, Position] = positions if positions is not None else {}
        self._exits: dict[str, ExitReason] = {}  # exit decided, not finished yet
        self._sales: dict[str, list[OrderReport]] = {}  # what of that exit has executed so far
        self._last_price: dict[str, float] = {}
        self._held: frozenset[str] | None = None  # the symbols held, kept until one opens or closes
        self.version = 0  # moves on whenever a position is written (opened, marked, changed, dropped)

    # -- book keeping ---------------------------------------------------------------------------------
    def set_rules(self, rules: Mapping[str, SymbolRules]) -> None:
        self._rules = rules

    def add(self, position: Position, lost_sale: OrderRequest | None = None) -> None:
        """Manage `position`; `lost_sale` is a sale of it already sent whose answer never came."""
        self._positions[position.symbol] = position
        self._held = None
        self.version += 1
        self.watch.opened(position.symbol, position.entry_time_ms)
        if lost_sale is not None:
            self._orders.adopt_lost(lost_sale)

    @property
    def positions(self) -> Mapping[str, Position]:
        return self._positions

    @property
    def held(self) -> frozenset[str]:
        """The symbols with an open position (asked several times a minute: rebuilt only on a change)."""
        if self._held is None:
            self._held = frozenset(self._positions)
        return self._held

    # The two sums below are asked several times a minute over one or two positions: a plain loop (the
    # same additions, in the same order, from the same int 0 as `sum`) skips building a generator.
    def cost(self) -> float:
        """What the open positions cost: price paid and entry fees."""
        total: float = 0
        for p in self._positions.values():
            total += p.cost_usdt + p.entry_fee_usdt
        return total

    def marked_value(self, price_of: PriceOf) -> float:
        """Positions valued at the last price seen (the entry price when none yet)."""
        total: float = 0
        for p in self._positions.values():
            total += p.quantity * (price_of(p.symbol) or self._last_price.get(p.symbol, p.entry_price))
        return total

    def mark_unprotected(self, symbol: str, why: str) -> None:
        if symbol in self._positions:
            self._log(symbol).warning("Position {} has no OCO any more ({}): closing it at market", symbol,
                                      why)
            self._positions[symbol] = self._positions[symbol].without_oco()
            self.version += 1

    # -- reactions ------------------------------------------------------------------------------------
    async def on_price(self, symbol: str, low: float, high: float, last: float, now_ms: int) -> None:
        """A price range seen on a held symbol: move the trailing stop, act on the exit that is due."""
        position = self._positions.get(symbol)
        if position is None:
            return
        self._last_price[symbol] = last
        position = position.with_price(high)
        self._positions[symbol] = position
        self.version += 1
        await self._act(symbol, position.exit_due(now_ms, low, high), now_ms)

    async def on_tick(self, now_ms: int) -> None:
        """Timeouts without prices, pending exits, unprotected positions and the bounded OCO poll."""
        for symbol in list(self._positions):
            await self.tick_one(symbol, now_ms)

    async def tick_one(self, symbol: str, now_ms: int) -> None:
        """`on_tick` for one position (the loop runs each symbol's exchange work on its own)."""
        position = self._positions.get(symbol)
        if position is not None:
            try:
                if symbol in self._exits:
                    await self.close(symbol, self._exits[symbol], now_ms)
                elif position.oco_list_id < 0:
                    await self.close(symbol, ExitReason.UNPROTECTED, now_ms)
                else:
                    price = self._price(position)
                    await self._act(symbol, position.exit_due(now_ms, price, price), now_ms)
            except (OrderRejected, OrderNotFound) as exc:  # this symbol's problem: the others go on
                self._log(symbol).error("Managing {} failed: {}; retried next tick", symbol, exc)

    async def _act(self, symbol: str, reason: ExitReason | None, now_ms: int) -> None:
        position = self._positions[symbol]
        if reason not in _BOT_EXITS and position.held_sec(now_ms) >= position.policy.hold_limit_sec:
            reason = ExitReason.TIMEOUT  # also below a stop-limit the market skipped: the timeout bounds it
        if reason in _BOT_EXITS:
            await self.close(symbol, reason, now_ms)
        elif self.watch.due(symbol, reason, now_ms):
            await self.poll(symbol, now_ms)

    async def poll(self, symbol: str, now_ms: int) -> None:
        """Ask the exchange how the OCO stands; a finished leg closes the position at its real fill."""
        position = self._positions.get(symbol)
        if position is None or position.oco_list_id < 0:
            return
        self.watch.polled(symbol, now_ms)
        try:
            listing = await self._orders.order_list(position)
        except OrderNotFound:
            self.mark_unprotected(symbol, "the exchange does not know its OCO")
            return
        await self.list_ended(symbol, listing, now_ms)

    async def list_ended(self, symbol: str, listing: OrderListReport, now_ms: int) -> None:
        """The position's OCO as the exchange reports it (a poll, or the stream); once: a later report of
        the same list finds the position gone or its OCO dropped."""
        position = self._positions.get(symbol)
        if position is None or position.oco_list_id != listing.order_list_id or \
                listing.status is ListStatus.EXECUTING:
            return
        leg = listing.filled_leg
        if leg is None:
            self.mark_unprotected(symbol, f"its OCO ended ({listing.status.value}) without a fill")
            return
        reason = leg_reason(leg)
        self._sales[symbol] = [leg]
        self._exits[symbol] = reason
        self._positions[symbol] = position.without_oco()
        self.version += 1
        await self.close(symbol, reason, now_ms)

    # -- a replay's held minutes (application/backtest/held_span.py) ----------------------------------
    def quietly_held(self) -> bool:
        """Every position waits on its OCO alone: protected, no exit under way, its OCO polled on a timer
        (no order stream). A bar that reaches no exit then only marks it (`pass_bar`)."""
        return self.watch.polling and not self._exits and all(
            p.oco_list_id >= 0 for p in self._positions.values())

    def pass_bar(self, symbol: str, low: float, high: float, last: float, now_ms: int) -> None:
        """`on_price` then the tick's `tick_one` for a bar the caller found reaching no exit while the
        position's OCO still executes (`quietly_held`): the trailing high, the last price, the version and
        the poll times as they leave them. A poll would only read the OCO (still executing: nothing to
        do), so none is sent. Raises RuntimeError if an exit was due after all (the caller's bug)."""
        position = self._positions[symbol].with_price(high)
        self._positions[symbol] = position
        self._last_price[symbol] = last
        self.version += 1
        # (past the hold limit, exit_due says TIMEOUT if nothing before: no look of its own at the time)
        if position.exit_due(now_ms, low, high) is not None or position.exit_due(now_ms, last, last) \
                is not None:
            raise RuntimeError(f"{symbol}: an exit was due at {now_ms} inside a held span")
        watch = self.watch
        for _ in range(2):  # on_price's look at the OCO, then the tick's
            if watch.due(symbol, None, now_ms):
                watch.polled(symbol, now_ms)
