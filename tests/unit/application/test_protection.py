"""The OCO plan on the exchange grid, and the smallest buy that could still be sold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.unit.application.fakes import rules_for

from application.protection import ProtectionPlan, min_entry_quote, plan_protection
from domain.rules import SymbolRules

D = Decimal
RULES = rules_for("ABCUSDT")  # tick 0.0001, step 0.01, min qty 0.01, min notional 5; no STOP_LOSS type


def plan(held: str, entry: str, tp: float = 0.003, sl: float = 0.004, buffer: float = 0.002,
         rules: SymbolRules = RULES) -> ProtectionPlan:
    result = plan_protection(rules, D(held), D(entry), tp, sl, buffer)
    assert isinstance(result, ProtectionPlan), result
    return result


def test_prices_round_toward_safety_and_the_quantity_down() -> None:
    p = plan("19.987", "1.00003")
    assert p.quantity == D("19.98")  # never more than was received
    assert p.take_profit == D("1.0031")  # 1.0030300.. rounds UP: the target still covers the fees
    assert p.stop == D("0.9961")  # 0.99603.. rounds UP: never a larger loss than sized for
    assert p.stop_limit is not None and p.stop_limit < p.stop
    assert p.stop_limit == D("0.9941")  # 0.9961 x 0.998 = 0.99410.. rounded DOWN


def test_an_exact_target_is_not_pushed_a_tick_further() -> None:
    p = plan("20", "1.0")
    assert (p.take_profit, p.stop) == (D("1.003"), D("0.996"))


def test_stop_limit_is_at_least_one_tick_below_the_stop() -> None:
    p = plan("20", "1.0", buffer=0.0)
    assert p.stop_limit == p.stop - RULES.tick_size


def test_a_pair_with_stop_loss_market_orders_gets_a_market_stop() -> None:
    rules = rules_for("ABCUSDT", order_types=("LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS"))
    p = plan("20", "1.0", rules=rules)
    assert p.stop_limit is None and p.lowest_exit_price == p.stop


@pytest.mark.parametrize(("held", "entry", "why"), [
    ("0.009", "1.0", "lot minimum"),
    ("5.0", "1.0", "NOTIONAL"),  # 5 units would be worth < 5 USDT at the stop-limit price
    ("20", "0.0001", "too coarse"),
])
def test_unprotectable_holdings_are_refused_with_a_reason(held: str, entry: str, why: str) -> None:
    result = plan_protection(RULES, D(held), D(entry), 0.003, 0.004, 0.002)
    assert isinstance(result, str) and why in result


@pytest.mark.parametrize("price", [0.5, 1.0, 3.7])
def test_min_entry_quote_is_just_enough_to_stay_sellable(price: float) -> None:
    fee = 0.001
    minimum = min_entry_quote(RULES, price, fee, 0.004, 0.002)

    def protectable(quote: float) -> bool:
        received = D(repr(quote / price * (1 - fee)))
        plan = plan_protection(RULES, received, D(repr(price)), 0.003, 0.004, 0.002)
        return isinstance(plan, ProtectionPlan)

    assert protectable(minimum)
    assert not protectable(minimum * 0.98)
    assert minimum < 5.2 * 1.01  # a few cents above the 5 USDT notional, not a multiple of it
