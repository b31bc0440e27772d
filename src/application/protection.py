"""The protective OCO of a long, on the exchange grid, and whether a buy could ever be sold again.

Rounding choices (prices are Decimal, on the tick grid):
- take-profit rounds UP: the target never lands below the configured gain, which the settings check
  against the round-trip fee, so a filled take-profit always covers both fees;
- stop rounds UP (closer to the entry): the loss never exceeds the distance the risk manager sized for;
- stop-limit (used only when the pair has no STOP_LOSS market type) rests `stop_limit_buffer_pct` below
  the stop, rounded DOWN, and at least one tick below it (Binance needs limit < stop to rest a sell);
- quantity rounds DOWN to the LOT_SIZE step: never try to sell more than is held.
A plan is refused with a reason unless every way out meets the filters (min qty, min notional): the
take-profit leg, the stop leg at its lowest price, and a market sale at the stop (the bot's own exits).

Before buying, `entry_refusal` plays the worst case of a market buy (it fills anywhere within
`fill_band_pct` of the signal price: the fewest units at the top of the band, floored to the market step,
less the taker fee in base, floored to the lot step; exit prices from the bottom of the band) and
`min_entry_quote` is the smallest buy that survives it (the risk manager sizes with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from domain.fast_init import fast_frozen_init
from domain.orders import OrderType
from domain.rules import SymbolRules

ONE = Decimal(1)
# Filter failures that mean "this quantity cannot be sold as it is": retrying the same sale is useless.
UNSELLABLE_FILTERS = frozenset({"NOTIONAL", "MIN_NOTIONAL", "LOT_SIZE", "MARKET_LOT_SIZE"})


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class ProtectionPlan:
    quantity: Decimal
    take_profit: Decimal
    stop: Decimal
    stop_limit: Decimal | None  # None: a STOP_LOSS (market) leg

    @property
    def lowest_exit_price(self) -> Decimal:
        return self.stop if self.stop_limit is None else self.stop_limit


def market_stop_allowed(rules: SymbolRules) -> bool:
    return "STOP_LOSS" in rules.order_types


def take_profit_type(rules: SymbolRules, maker: bool) -> OrderType:
    """LIMIT_MAKER rests at the target (maker fee); otherwise a TAKE_PROFIT (market once triggered, taker
    fee), or a TAKE_PROFIT_LIMIT where the pair has no TAKE_PROFIT; LIMIT_MAKER if it has neither."""
    if not maker:
        for kind in (OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT):
            if kind.value in rules.order_types:
                return kind
    return OrderType.LIMIT_MAKER


def market_sale_problem(rules: SymbolRules, quantity: Decimal, price: Decimal) -> str | None:
    """Why a market SELL of `quantity` at about `price` would be refused (lot or notional), or None."""
    sellable = rules.round_qty(quantity, market=True)
    if sellable <= 0:
        return f"{quantity:f} is below the market lot minimum"
    problems = rules.violations(quantity=sellable, price=price, market=True)
    if not problems:
        return None
    return "; ".join(f"{v.filter_type}: {v.detail}" for v in problems)


def plan_protection(rules: SymbolRules, held: Decimal, entry: Decimal, take_profit_pct: float,
                    stop_loss_pct: float, stop_limit_buffer_pct: float) -> ProtectionPlan | str:
    """The OCO that protects `held` base units bought at `entry`, or why none is possible."""
    quantity = rules.round_qty(held)
    if quantity <= 0:
        return f"quantity {held} is below the lot minimum {rules.min_qty} (step {rules.step_size})"
    take_profit = rules.round_price(entry * (ONE + _dec(take_profit_pct)), direction="up")
    stop = rules.round_price(entry * (ONE - _dec(stop_loss_pct)), direction="up")
    if not 0 < stop < entry < take_profit:
        return f"tick {rules.tick_size} too coarse for a stop below and a target above {entry}"
    stop_limit: Decimal | None = None
    if not market_stop_allowed(rules):
        stop_limit = rules.round_price(stop * (ONE - _dec(stop_limit_buffer_pct)), direction="down")
        if stop_limit >= stop:
            stop_limit = stop - rules.tick_size
        if not 0 < stop_limit < stop:
            return f"no stop-limit price below the stop {stop} on tick {rules.tick_size}"
    plan = ProtectionPlan(quantity, take_profit, stop, stop_limit)
    if rules.oco_fits(quantity, take_profit, plan.lowest_exit_price, stop) and (
            _market_lot_is_lot(rules) or market_sale_problem(rules, held, stop) is None):
        return plan  # the usual answer, without the lists
    return listed_outcome(rules, held, plan)


def listed_outcome(rules: SymbolRules, held: Decimal, plan: ProtectionPlan) -> ProtectionPlan | str:
    """`plan` when no filter (each leg's, and a market sale of `held` at the stop) refuses it, else every
    reason found, filter by filter."""
    found = rules.violations(quantity=plan.quantity, price=plan.take_profit) \
        + rules.violations(quantity=plan.quantity, price=plan.lowest_exit_price, stop_price=plan.stop)
    at_market = market_sale_problem(rules, held, plan.stop)
    if not found and at_market is None:
        return plan
    problems = [f"{v.filter_type}: {v.detail}" for v in found]
    if at_market is not None:
        problems.append(f"market sale at the stop: {at_market}")
    return "; ".join(problems)


def _market_lot_is_lot(rules: SymbolRules) -> bool:
    """MARKET_LOT_SIZE is LOT_SIZE: then an OCO that meets the filters implies that a market sale of `held`
    at its stop meets them too (the same rounded quantity and lot; a notional between the two legs')."""
    return rules.market_step_size == rules.step_size and rules.market_min_qty == rules.min_qty \
        and rules.market_max_qty == rules.max_qty


def entry_refusal(rules: SymbolRules, quote: Decimal, price: Decimal, *, taker_fee_rate: float,
                  take_profit_pct: float, stop_loss_pct: float, stop_limit_buffer_pct: float,
                  fill_band_pct: float) -> str | None:
    """Why a market buy of `quote` near `price` could leave a holding no exit can sell, or None."""
    band = _dec(fill_band_pct)
    executed = rules.round_qty(quote / (price * (ONE + band)), market=True)
    if executed <= 0:
        return f"{quote:f} {rules.quote_asset} buys less than the market lot minimum"
    received = executed * (ONE - _dec(taker_fee_rate))
    plan = plan_protection(rules, received, price * (ONE - band), take_profit_pct, stop_loss_pct,
                           stop_limit_buffer_pct)
    return plan if isinstance(plan, str) else None


def min_entry_quote(rules: SymbolRules, price: float, taker_fee_rate: float, stop_loss_pct: float,
                    stop_limit_buffer_pct: float, fill_band_pct: float = 0.0) -> float:
    """The smallest buy (quote units) that `entry_refusal` accepts: every rounding loses a whole step."""
    if price <= 0:
        return float("inf")
    high, low = price * (1 + fill_band_pct), price * (1 - fill_band_pct)
    f = _floats_of(rules)
    stop = low * (1 - stop_loss_pct)  # the stop rounds up, never below this
    if not f.market_stop:  # the stop-limit rounds down, at most one tick
        stop = stop * (1 - stop_limit_buffer_pct) - f.tick_size
    lowest = stop
    needed = max(f.min_qty, f.market_min_qty, f.min_notional / lowest if lowest > 0 else float("inf"))
    return high * ((needed + f.step) / (1 - taker_fee_rate) + f.market_step) * (1 + 1e-9)


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class _RuleFloats:
    """The filters `min_entry_quote` reads, as floats: converted once per rules, not at every signal."""

    market_stop: bool
    tick_size: float
    min_qty: float
    market_min_qty: float
    min_notional: float
    market_step: float
    step: float


_FLOATS: dict[int, tuple[SymbolRules, _RuleFloats]] = {}  # by id(rules); the rules kept, so ids stay theirs


def _floats_of(rules: SymbolRules) -> _RuleFloats:
    known = _FLOATS.get(id(rules))
    if known is not None and known[0] is rules:
        return known[1]
    market_step = float(rules.market_step_size) or float(rules.step_size)
    floats = _RuleFloats(market_stop_allowed(rules), float(rules.tick_size), float(rules.min_qty),
                         float(rules.market_min_qty), float(rules.min_notional), market_step,
                         max(float(rules.step_size), market_step))
    if len(_FLOATS) >= 4_096:  # rules rebuilt by exchange-info refreshes: forget the old ones
        _FLOATS.clear()
    _FLOATS[id(rules)] = (rules, floats)
    return floats


@lru_cache(maxsize=256)
def _dec(fraction: float) -> Decimal:
    """The fraction as the Decimal it was written as (the same few settings, asked at every entry)."""
    return Decimal(repr(fraction))
