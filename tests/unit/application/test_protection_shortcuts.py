"""plan_protection's shortcuts (SymbolRules.oco_fits, and no market-sale check where MARKET_LOT_SIZE is
LOT_SIZE) must give what the filter-by-filter lists give: the same plan, or the same reason, everywhere."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from decimal import Decimal

from tests.unit.domain.test_rules_violations import some_rules

from application.protection import ProtectionPlan, listed_outcome, plan_protection
from domain.rules import SymbolRules

D = Decimal


def listed(rules: SymbolRules, held: Decimal, entry: Decimal, tp: float, sl: float,
           buffer: float) -> ProtectionPlan | str:
    """plan_protection as it read before the shortcuts: every list built, the market sale always asked
    (the shortcuts only ever answer with a plan: a reason comes from the lists already)."""
    result = plan_protection(rules, held, entry, tp, sl, buffer)
    return result if isinstance(result, str) else listed_outcome(rules, held, result)


HELD = [D(q) for q in ("0.004", "0.0105", "0.02", "0.5003", "7.77", "50.004", "99.99", "120")]
ENTRIES = [D(p) for p in ("0.0999", "0.1003", "1.00003", "9.871", "10.05", "333.3", "999.9", "1200")]


def test_the_plan_or_its_reason_is_the_listed_one_everywhere() -> None:
    rng = random.Random(11)
    plans = same_lot = 0
    for _ in range(120):
        rules = some_rules(rng)
        if rng.random() < 0.5:  # MARKET_LOT_SIZE equal to LOT_SIZE: the market sale is not asked
            rules = replace(rules, market_step_size=rules.step_size, market_min_qty=rules.min_qty,
                            market_max_qty=rules.max_qty)
            same_lot += 1
        if rng.random() < 0.5:
            rules = replace(rules, order_types=("STOP_LOSS",))
        for held, entry in itertools.product(HELD, ENTRIES):
            tp, sl, buffer = rng.choice((0.003, 0.01, 0.2)), rng.choice((0.002, 0.01, 0.5)), 0.002
            got = plan_protection(rules, held, entry, tp, sl, buffer)
            assert got == listed(rules, held, entry, tp, sl, buffer), (rules, held, entry, tp, sl)
            plans += isinstance(got, ProtectionPlan)
    assert same_lot > 20 and plans > 1000  # both kinds of rules, and many plans accepted
