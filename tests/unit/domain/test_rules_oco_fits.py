"""SymbolRules.oco_fits is the protection plan's one-chain shortcut: it must say True exactly when both
legs' `violations` lists are empty, on and around every filter boundary."""

from __future__ import annotations

import itertools
import random

from tests.unit.domain.test_rules_violations import PRICES, QUANTITIES, some_rules


def test_oco_fits_is_true_exactly_when_both_legs_have_no_violation() -> None:
    rng = random.Random(5)
    fits = 0
    for _ in range(40):
        rules = some_rules(rng)
        for quantity, take_profit, lowest in itertools.product(QUANTITIES, PRICES, PRICES):
            stop = rng.choice(PRICES)
            plain = not rules.violations(quantity=quantity, price=take_profit) \
                and not rules.violations(quantity=quantity, price=lowest, stop_price=stop)
            assert rules.oco_fits(quantity, take_profit, lowest, stop) == plain, (
                rules, quantity, take_profit, lowest, stop)
            fits += plain
    assert fits > 500  # the shortcut's True answer was compared many times
