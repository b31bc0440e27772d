"""When a resting order fills, decided from what the market did: a trade, a book, or a whole bar.

Conservative rules (the simulator must never flatter a strategy):
* A resting limit (LIMIT, LIMIT_MAKER, a triggered stop-limit) fills at its own price and only when the
  market trades THROUGH it (a BUY needs a price strictly below its limit, a SELL strictly above): at an
  equal price the order may still be queued behind others.
* A stop fires when the price reaches it. It fires at the stop, or at the bar's open when the bar opened
  already past it (a gap against the trader). A gap in the trader's favour is never credited.
* A fired STOP_LOSS/TAKE_PROFIT fills as a taker from there with slippage (or against the book).
* A fired stop-limit is a limit order from the price it fired at: if that price is already beyond the
  limit (the market gapped through), it rests unfilled, and only a later move back through the limit
  fills it. Otherwise it fills as a taker at the limit when the bar also reached the limit (worst price
  the limit allows), else at the firing price with slippage, never worse than the limit.
* Within one bar that reaches both legs of an OCO, the stop-loss leg is taken first (see matching.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from adapters.simulated.order_state import MARKET_WHEN_TRIGGERED, SimOrder
from adapters.simulated.validation import fires_on_fall, stop_reached
from domain.enum_constants import BUY, SELL
from domain.fast_init import fast_frozen_init


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class Span:
    """What the market did since the last look, seen from one side of the book.

    A trade is a point (open = low = high) with its size in `through_qty`; a bar spans [low, high]
    from its open; a book offers its best ask to BUY orders and its best bid to SELL orders."""

    open: Decimal
    low: Decimal
    high: Decimal
    through_qty: Decimal | None = None  # how much traded there; None = no bound known
    has_path: bool = False  # True for a bar: the order of prices inside it is unknown

    @classmethod
    def point(cls, price: Decimal, quantity: Decimal | None = None) -> Span:
        return cls(price, price, price, quantity)


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class Outcome:
    """What happens to one resting order: fire (a stop), fill now at `price`, or both."""

    fires: bool = False
    price: Decimal | None = None  # a fill price decided here (limit rules); None = no fill decided
    maker: bool = False
    market_from: Decimal | None = None  # fired into a market order from this price (engine fills it)
    limit_taker: bool = False  # fired into a marketable limit: with a book the engine walks it instead


def wakes_at(order: SimOrder) -> tuple[bool, Decimal]:
    """(True when a falling market moves `order`, else a rising one; the price it must reach): the first
    test `decide` makes. A market that stays strictly on the far side of it leaves `decide` with None."""
    if order.rests_as_limit:
        return order.side is BUY, order.price
    return fires_on_fall(order.type, order.side), order.stop_price


def decide(order: SimOrder, span: Span, slip: Decimal) -> Outcome | None:
    """None when nothing happens to `order` in `span`; `slip` is the adverse slippage fraction."""
    buy = order.side is BUY
    if order.rests_as_limit:
        through = span.low < order.price if buy else span.high > order.price
        return Outcome(price=order.price, maker=True) if through else None
    if not stop_reached(order.type, order.side, order.stop_price, low=span.low, high=span.high):
        return None
    fired_at = _fired_at(order, span)
    if order.type in MARKET_WHEN_TRIGGERED:
        return Outcome(fires=True, market_from=fired_at)
    limit = order.price
    if (fired_at < limit) if not buy else (fired_at > limit):
        return Outcome(fires=True)  # gapped through the limit: rests, unfilled for now
    reached_limit = span.low <= limit if not buy else span.high >= limit
    if reached_limit and span.has_path:
        return Outcome(fires=True, price=limit, limit_taker=True)
    slipped = fired_at * (1 + slip) if buy else fired_at * (1 - slip)
    price = min(limit, slipped) if buy else max(limit, slipped)
    return Outcome(fires=True, price=price, limit_taker=True)


def _fired_at(order: SimOrder, span: Span) -> Decimal:
    """The price the stop fired at: the stop, or the open when the span opened past it against the
    trader; never better than the stop for the trader."""
    stop = order.stop_price
    fired = min(span.open, stop) if fires_on_fall(order.type, order.side) else max(span.open, stop)
    return min(fired, stop) if order.side is SELL else max(fired, stop)
