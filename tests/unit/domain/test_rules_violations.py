"""SymbolRules.violations answers "none" from one chain of comparisons: it must list exactly what the
filter-by-filter reference (the former implementation, kept here) lists, on and around every boundary."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

from domain.rules import FilterViolation, SymbolRules

D = Decimal


def reference(rules: SymbolRules, *, quantity: Decimal, price: Decimal, market: bool = False,
              stop_price: Decimal | None = None) -> list[FilterViolation]:
    found: list[FilterViolation] = []
    prices = [price] if not market else []
    if stop_price is not None:
        prices.append(stop_price)
    for p in prices:
        if p <= 0:
            found.append(FilterViolation("PRICE_FILTER", f"price {p} is not positive"))
        elif rules.min_price > 0 and p < rules.min_price:
            found.append(FilterViolation("PRICE_FILTER", f"price {p} < minPrice {rules.min_price}"))
        elif rules.max_price > 0 and p > rules.max_price:
            found.append(FilterViolation("PRICE_FILTER", f"price {p} > maxPrice {rules.max_price}"))
        elif rules.tick_size > 0 and p % rules.tick_size != 0:
            found.append(FilterViolation("PRICE_FILTER", f"price {p} not a multiple of {rules.tick_size}"))
    lots = [("LOT_SIZE", rules.step_size, rules.min_qty, rules.max_qty)]
    if market:
        lots.append(("MARKET_LOT_SIZE", rules.market_step_size, rules.market_min_qty, rules.market_max_qty))
    for name, step, low, high in lots:
        if low > 0 and quantity < low:
            found.append(FilterViolation(name, f"quantity {quantity} < minQty {low}"))
        elif high > 0 and quantity > high:
            found.append(FilterViolation(name, f"quantity {quantity} > maxQty {high}"))
        elif step > 0 and quantity % step != 0:
            found.append(FilterViolation(name, f"quantity {quantity} not a multiple of {step}"))
    notional = quantity * price
    check_min = rules.min_notional > 0 and (not market or rules.min_notional_applies_to_market)
    check_max = rules.max_notional > 0 and (not market or rules.max_notional_applies_to_market)
    if check_min and notional < rules.min_notional:
        found.append(FilterViolation("NOTIONAL", f"notional {notional} < minNotional {rules.min_notional}"))
    elif check_max and notional > rules.max_notional:
        found.append(FilterViolation("NOTIONAL", f"notional {notional} > maxNotional {rules.max_notional}"))
    return found


def some_rules(rng: random.Random) -> SymbolRules:
    def pick(*options: str) -> Decimal:
        return D(rng.choice(options))
    return SymbolRules(
        "XUSDT", "X", "USDT", tick_size=pick("0", "0.01", "0.05"), min_price=pick("0", "0.10"),
        max_price=pick("0", "1000"), step_size=pick("0", "0.001", "0.5"), min_qty=pick("0", "0.010"),
        max_qty=pick("0", "100"), market_step_size=pick("0", "0.01"), market_min_qty=pick("0", "0.02"),
        market_max_qty=pick("0", "50"), min_notional=pick("0", "5", "10"), max_notional=pick("0", "900"),
        min_notional_applies_to_market=rng.random() < 0.5, max_notional_applies_to_market=rng.random() < 0.5)


QUANTITIES = [D(q) for q in ("-1", "0", "0.005", "0.010", "0.011", "0.02", "0.5", "1.0005", "50", "50.01",
                             "100", "100.5", "101")]
PRICES = [D(p) for p in ("-1", "0", "0.05", "0.10", "0.11", "0.125", "9.99", "10", "1000", "1000.05",
                         "1001")]


def test_violations_match_the_filter_by_filter_reference_everywhere() -> None:
    rng = random.Random(3)
    clean = 0
    for _ in range(60):
        rules = some_rules(rng)
        for quantity, price, market in itertools.product(QUANTITIES, PRICES, (False, True)):
            stop = rng.choice([None, *PRICES])
            got = rules.violations(quantity=quantity, price=price, market=market, stop_price=stop)
            assert got == reference(rules, quantity=quantity, price=price, market=market, stop_price=stop), (
                rules, quantity, price, market, stop)
            clean += not got
    assert clean > 1000  # the fast "none" answer was taken many times
