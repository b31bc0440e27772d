"""Taker execution: walk the book (or, without depth, a slipped price) and settle each level."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal

from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.market import Level, SymbolMarket, floor_to_step, plan_take
from adapters.simulated.order_state import SimOrder
from adapters.simulated.settlement import Settlement
from domain.enum_constants import BUY, MARKET, STOP_LOSS, TAKE_PROFIT
from domain.rules import SymbolRules

Plan = list[tuple[Decimal, Decimal]]
ZERO = Decimal(0)


class Taker:
    def __init__(self, settlement: Settlement, costs: SimulatorCosts, rng: random.Random) -> None:
        self._settlement = settlement
        self._costs = costs
        self.rng = rng
        # Without jitter the fraction never changes (and draws nothing): worked out once, not per fill.
        self._fixed_slip = None if costs.slippage_jitter_bps > 0 else costs.slippage_fraction(rng)

    def slippage(self) -> Decimal:
        """The adverse slippage fraction of one fill (or one visit of the resting orders)."""
        fixed = self._fixed_slip
        return fixed if fixed is not None else self._costs.slippage_fraction(self.rng)

    def slipped(self, price: Decimal, *, buy: bool, rules: SymbolRules) -> Decimal:
        """`price` moved against the trader by the slippage model, on the tick grid (rounded adversely)."""
        slip = self.slippage()
        moved = price * (1 + slip) if buy else price * (1 - slip)
        return self.on_tick(moved, buy=buy, rules=rules)

    @staticmethod
    def on_tick(price: Decimal, *, buy: bool, rules: SymbolRules) -> Decimal:
        """The price on the tick grid, away from the taker (up for a buy); `price` itself where that gives
        no positive price."""
        rounded = rules.round_price(price, direction="up" if buy else "down")
        return rounded if rounded > ZERO else price

    def plan(self, order: SimOrder, market: SymbolMarket, rules: SymbolRules, *, quantity: Decimal | None,
             quote: Decimal | None = None, limit: Decimal | None = None, fallback: Decimal | None = None,
             use_book: bool = True) -> tuple[Plan, bool]:
        """Fills a taker order would get, and whether the visible depth ran out first.

        With a depth book: its levels only. With a book top: the top, then unlimited size at the top
        price slipped. Without a book (or `use_book=False`): unlimited size at `fallback` slipped."""
        buy = order.side is BUY
        booked = use_book and market.has_book
        base = fallback if not booked else (
            (market.best_ask() if buy else market.best_bid()) if market.top_only else None)
        beyond = self.slipped(base, buy=buy, rules=rules) if base is not None else None
        if beyond is not None and limit is not None:
            beyond = min(beyond, limit) if buy else max(beyond, limit)
        step = _step(order, rules)
        if not booked and beyond is not None:  # a backtest's usual case: one level of unlimited size
            return _plan_unlimited(beyond, quantity, quote, step)
        source: Iterator[Level] = market.levels(buy=buy, beyond=beyond) if booked else iter([])
        return plan_take(source, buy=buy, quantity=quantity, quote=quote, limit=limit, step=step)

    def execute(self, order: SimOrder, market: SymbolMarket, plan: Plan, time_ms: int) -> None:
        """Settle each planned level as a taker fill; a BUY stops where the account can no longer pay."""
        buy = order.side is BUY
        for price, planned in plan:
            quantity = min(planned, order.remaining)
            quantity = self._settlement.affordable(order, price, quantity)
            if quantity <= 0:
                break
            self._settlement.fill(order, price, quantity, maker=False, time_ms=time_ms)
            market.consume(buy=buy, price=price, quantity=quantity)


def _step(order: SimOrder, rules: SymbolRules) -> Decimal:
    """The lot step a taker fill of `order` is floored to (MARKET_LOT_SIZE for orders filling at market)."""
    market_order = order.type in (MARKET, STOP_LOSS, TAKE_PROFIT)
    step = rules.market_step_size if market_order and rules.market_step_size > 0 else rules.step_size
    return step if step > 0 else Decimal(1).scaleb(-rules.base_asset_precision)


def _plan_unlimited(price: Decimal, quantity: Decimal | None, quote: Decimal | None,
                    step: Decimal) -> tuple[Plan, bool]:
    """plan_take over the single level (price, unlimited), without its generic walk: the whole order
    (or what `quote` buys there, floored to the step) at `price`, never short. `price` is already
    within any limit."""
    if quote is not None:
        wanted = ZERO + quote / price  # the same Decimal (exponent included) plan_take's sum gives
    else:
        assert quantity is not None
        wanted = quantity
    take = floor_to_step(wanted, step)
    return ([(price, take)] if take > 0 else []), False
