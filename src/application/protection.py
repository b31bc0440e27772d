"""The protective OCO of a long, on the exchange grid, and whether a buy could ever be sold again.

Rounding choices (prices are Decimal, on the tick grid):
- take-profit rounds UP: the target never lands below the configured gain, which the settings check
  against the round-trip fee, so a filled take-profit always covers both fees;
- stop rounds UP (closer to the entry): the loss never exceeds the distance the risk manager sized for;
- stop-limit (used only when the pair has no STOP_LOSS market type) rests `stop_limit_buffer_pct` below
  the stop, rounded DOWN, and at least one tick below it (Binance needs limit < stop to rest a sell);
- quantity rounds DOWN to the LOT_SIZE step: never try to sell more than was received.
A plan that breaks a filter (lot minimum, min notional at the lowest leg price) is refused with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.rules import SymbolRules

ONE = Decimal(1)


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
    problems = (rules.violations(quantity=quantity, price=take_profit)
                + rules.violations(quantity=quantity, price=plan.lowest_exit_price, stop_price=stop))
    if problems:
        return "; ".join(f"{v.filter_type}: {v.detail}" for v in problems)
    return plan


def min_entry_quote(rules: SymbolRules, price: float, taker_fee_rate: float, stop_loss_pct: float,
                    stop_limit_buffer_pct: float) -> float:
    """The smallest buy (quote units) whose received quantity, after the fee and the step rounding, can
    still be sold by the OCO's lowest leg. The risk manager sizes with it as the pair's minimum."""
    if price <= 0:
        return float("inf")
    buffer = 0.0 if market_stop_allowed(rules) else stop_limit_buffer_pct
    lowest = price * (1 - stop_loss_pct) * (1 - buffer)
    min_qty = max(float(rules.min_qty), float(rules.market_min_qty),
                  float(rules.min_notional) / lowest if lowest > 0 else float("inf"))
    step = max(float(rules.step_size), float(rules.market_step_size))
    return (min_qty + step) * price / (1 - taker_fee_rate)


def _dec(fraction: float) -> Decimal:
    return Decimal(repr(fraction))
