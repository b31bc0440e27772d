"""How resting orders react to market data: a book, a trade, or a whole bar (see resting.py's rules).

Orders are visited in id order. The stop leg of an OCO is created first, so within one bar that reaches
both legs the stop-loss is taken first (the conservative order); once a leg fires or fills, its sibling
EXPIRES (Binance's OCO_TRIGGER) and the list ends ALL_DONE when no leg is left open.

A bar only moves orders that were working when it opened (within `bar_grace_ms`, so the latency of an
order placed at the previous bar's close does not hide the next bar); for an order placed inside a bar,
or an unfinished bar, only the bar's close counts, as one price: its high and low may predate the order.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.market import SymbolMarket
from adapters.simulated.order_state import SimOrder
from adapters.simulated.registry import OrderRegistry
from adapters.simulated.resting import Outcome, Span, decide
from adapters.simulated.settlement import Settlement
from adapters.simulated.taking import Taker
from domain.enum_constants import ALL_DONE, BUY, EXPIRED, FILLED, SELL
from domain.orders import OrderStatus
from domain.rules import SymbolRules
from domain.values import Candle, Side

SpanFor = Callable[[SimOrder], Span | None]


class Reactions:
    def __init__(self, registry: OrderRegistry, settlement: Settlement, taker: Taker,
                 costs: SimulatorCosts, rules: dict[str, SymbolRules], bar_grace_ms: int) -> None:
        self._registry = registry
        self._settlement = settlement
        self._taker = taker
        self._costs = costs
        self._rules = rules
        self._bar_grace_ms = bar_grace_ms

    def on_book(self, market: SymbolMarket, time_ms: int) -> None:
        def span_for(order: SimOrder) -> Span | None:
            buy = order.side is BUY
            best = market.best_ask() if buy else market.best_bid()
            return Span.point(best) if best is not None else None
        self._visit(market, span_for, time_ms, with_book=True, budget=None)

    def on_trade(self, market: SymbolMarket, price: Decimal, quantity: Decimal, time_ms: int) -> None:
        span = Span.point(price, quantity)
        self._visit(market, lambda _: span, time_ms, with_book=True, budget={BUY: quantity,
                                                                              SELL: quantity})

    def on_candle(self, market: SymbolMarket, candle: Candle, time_ms: int, o: Decimal, h: Decimal,
                  low: Decimal, c: Decimal) -> None:
        close = Span(c, c, c)
        # Orders working all bar see its whole range (has_path) when it is closed; the others its close.
        whole = Span(o, low, h, None, True) if candle.closed else close
        working_from = candle.open_time_ms + self._bar_grace_ms

        def span_for(order: SimOrder) -> Span:
            return whole if order.time_ms <= working_from else close
        self._visit(market, span_for, time_ms, with_book=False, budget=None)

    def quiet_bar(self) -> None:
        """A bar that moved no order (registry.wake_prices): only the draw a visit makes is made, so the
        seeded slippage sequence stays what it was."""
        if self._costs.slippage_jitter_bps > 0:
            self._costs.slippage_fraction(self._taker.rng)

    def _visit(self, market: SymbolMarket, span_for: SpanFor, time_ms: int, *, with_book: bool,
               budget: dict[Side, Decimal] | None) -> None:
        self._registry.changed(market.symbol)  # a stop may trigger on the way
        slip = self._taker.slippage()
        for order in self._registry.open_unchecked(market.symbol):
            if not order.is_open:  # expired by its OCO sibling earlier in this pass
                continue
            span = span_for(order)
            if span is None:
                continue
            outcome = decide(order, span, slip)
            if outcome is None:
                continue
            self._apply(order, outcome, market, time_ms, with_book, budget)
            self._after(order, time_ms)

    def _apply(self, order: SimOrder, outcome: Outcome, market: SymbolMarket, time_ms: int,
               with_book: bool, budget: dict[Side, Decimal] | None) -> None:
        rules = self._rules[order.symbol]
        buy = order.side is BUY
        if outcome.fires:
            order.triggered = True
        reference = outcome.market_from if outcome.market_from is not None else outcome.price
        if outcome.fires and with_book and reference is not None:
            with_book = _book_agrees(market, buy, reference)
        if outcome.market_from is not None:
            plan, _ = self._taker.plan(order, market, rules, quantity=order.remaining,
                                       fallback=outcome.market_from, use_book=with_book)
            self._taker.execute(order, market, plan, time_ms)
            if order.is_open:
                self._end(order, EXPIRED, time_ms, "INSUFFICIENT_LIQUIDITY")
            return
        if outcome.price is None:
            return
        if outcome.limit_taker and with_book:
            plan, _ = self._taker.plan(order, market, rules, quantity=order.remaining, limit=order.price)
            self._taker.execute(order, market, plan, time_ms)
            return
        price = outcome.price
        if outcome.limit_taker:
            price = self._taker.on_tick(price, buy=buy, rules=rules)
        quantity = order.remaining
        if budget is not None and outcome.maker:  # a resting order gets at most what traded through it
            quantity = min(quantity, budget[order.side])
        elif outcome.maker and with_book:  # a book crossed a resting limit: at most what crossed it
            quantity = min(quantity, market.depth_through(buy=buy, limit=order.price))
        quantity = self._settlement.affordable(order, price, quantity)
        if quantity <= 0:
            return
        self._settlement.fill(order, price, quantity, maker=outcome.maker, time_ms=time_ms)
        if budget is not None and outcome.maker:
            budget[order.side] -= quantity

    def _after(self, order: SimOrder, time_ms: int) -> None:
        """OCO bookkeeping once `order` fired or traded; forget final orders."""
        order_list = self._registry.list_of(order)
        if order_list is not None:
            sibling = order_list.sibling(order)
            if sibling.is_open and (order.triggered or order.executed > 0):
                self._end(sibling, EXPIRED, time_ms, "OCO_TRIGGER", release=False)
            if not (order_list.above.is_open or order_list.below.is_open):  # no leg left open
                order_list.status = ALL_DONE
                self._settlement.release_lock(order)
        if order.status is FILLED:
            if order_list is None:
                self._settlement.release_lock(order)
            self._settlement.completed(order)
        if not order.is_open:
            self._registry.closed(order)

    def _end(self, order: SimOrder, status: OrderStatus, time_ms: int, reason: str, *,
             release: bool = True) -> None:
        self._settlement.finish(order, status, time_ms, reason=reason, release=release)
        self._registry.closed(order)


def _book_agrees(market: SymbolMarket, buy: bool, reference: Decimal) -> bool:
    """Walk the book for a fired stop only if it is no kinder than the price that fired it: a trade far
    below a book that has not caught up yet must not fill a stop-loss at the stale, higher bids."""
    if not market.has_book:
        return False
    best = market.best_ask() if buy else market.best_bid()
    return best is not None and (best >= reference if buy else best <= reference)
