"""The simulator's fast paths give exactly what their plain definitions give (values and representation)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from adapters.simulated.market import SymbolMarket, plan_take
from adapters.simulated.order_state import SimOrder
from adapters.simulated.registry import OrderRegistry
from adapters.simulated.taking import _plan_unlimited
from adapters.simulated.validation import _too_precise, check_quantity
from domain.orders import OrderStatus, OrderType
from domain.rules import SymbolRules
from domain.values import Side
from ports.errors import OrderRejected


def _too_precise_by_definition(value: Decimal, places: int) -> bool:
    exponent = value.normalize().as_tuple().exponent
    return isinstance(exponent, int) and -exponent > places


def _decimal_samples(seed: int, count: int) -> list[Decimal]:
    rng = random.Random(seed)
    found = [Decimal(0), Decimal("0E-12"), Decimal("-0.00000001"), Decimal("1E+30"),
             Decimal("12345678901234567890.123"),
             Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("0.100000000000")]
    for _ in range(count):
        digits = rng.randint(1, 28)
        coefficient = rng.randrange(10 ** (digits - 1), 10 ** digits) * rng.choice((1, 1, 1, 10, 100))
        found.append(Decimal(rng.choice((1, -1)) * coefficient).scaleb(rng.randint(-20, 12)))
    return found


@pytest.mark.parametrize("places", [0, 2, 8])
def test_too_precise_is_more_decimals_than_places_once_zeros_are_dropped(places: int) -> None:
    for value in _decimal_samples(places, 3000):
        assert _too_precise(value, places) is _too_precise_by_definition(value, places), value


def test_a_last_price_given_as_a_float_reads_as_the_decimal_it_was_printed_as() -> None:
    market = SymbolMarket("BTCUSDT")
    market.set_last_float(0.1, 5)
    assert str(market.last_price) == "0.1" and market.last_time_ms == 5
    market.set_last(Decimal("0.25"), 4)  # a Decimal set later wins; the time never goes back
    assert market.last_price == Decimal("0.25") and market.last_time_ms == 5
    market.set_last_float(64_000.5, 9)
    assert market.last_price == Decimal("64000.5") == market.current_price()


def _same(a: object, b: object) -> bool:
    """Equal and printed alike (a Decimal's exponent is part of what reports show)."""
    return a == b and repr(a) == repr(b)


@pytest.mark.parametrize("buy", [True, False])
def test_a_taker_plan_at_one_unlimited_level_is_plan_takes_walk_of_that_level(buy: bool) -> None:
    rng = random.Random(17)
    prices = [Decimal("64000.01"), Decimal("0.00001234"), Decimal("1E+3"), Decimal("7"), Decimal("0.5")]
    amounts = [Decimal("0.1"), Decimal("123.456"), Decimal("1E+2"), Decimal("5"), Decimal("0.00000001"),
               Decimal(0), Decimal("-1")] + [Decimal(rng.randint(1, 10**9)).scaleb(-rng.randint(0, 8))
                                            for _ in range(60)]
    steps = [Decimal("0.001"), Decimal("1"), Decimal("1.00000000"), Decimal("1E+1"), Decimal("0.00000001")]
    for price in prices:
        for amount in amounts:
            for step in steps:
                for quote in (False, True):
                    quantity, quote_qty = (None, amount) if quote else (amount, None)
                    walked = plan_take(iter([(price, None)]), buy=buy, quantity=quantity, quote=quote_qty,
                                       limit=price, step=step)
                    fast = _plan_unlimited(price, quantity, quote_qty, step)
                    assert fast[1] is walked[1]
                    assert len(fast[0]) == len(walked[0])
                    for (p1, q1), (p2, q2) in zip(fast[0], walked[0], strict=True):
                        assert _same(p1, p2) and _same(q1, q2), (price, amount, step, quote)


def test_check_quantitys_lot_test_refuses_exactly_what_the_rules_lot_filters_refuse() -> None:
    rules = SymbolRules("XUSDT", "X", "USDT", step_size=Decimal("0.01"), min_qty=Decimal("0.02"),
                        max_qty=Decimal(100), market_step_size=Decimal("0.1"), market_min_qty=Decimal("0.1"),
                        market_max_qty=Decimal(50), min_notional=Decimal(1000))
    unlimited = SymbolRules("YUSDT", "Y", "USDT")  # zero fields: no lot rule at all
    for quantity in [Decimal(n).scaleb(-3) for n in range(0, 60_001, 7)] + [Decimal("1E+2"), Decimal(-1)]:
        for symbol_rules in (rules, unlimited):
            lot_faults = [v for v in symbol_rules.violations(quantity=quantity, price=Decimal(1), market=True)
                          if v.filter_type != "NOTIONAL"]
            try:
                check_quantity(quantity, symbol_rules)
                refused = None
            except OrderRejected as exc:
                refused = exc.filter_type
            assert refused == (lot_faults[0].filter_type if lot_faults else None), quantity


def test_open_counts_are_the_open_orders_and_their_algo_ones() -> None:
    registry = OrderRegistry()
    kinds = [OrderType.LIMIT, OrderType.STOP_LOSS, OrderType.TAKE_PROFIT_LIMIT, OrderType.LIMIT_MAKER]
    for order_id in range(1, 13):
        kind = kinds[order_id % 4]
        order = SimOrder(order_id, f"c{order_id}", "XUSDT" if order_id % 3 else "YUSDT", Side.SELL, kind,
                         Decimal(1), Decimal(2), Decimal(1), None, 0)
        order.triggered = order_id % 5 == 0
        registry.add(order)
        if order_id % 4 == 0:
            order.status = OrderStatus.FILLED
            registry.closed(order)
        if order_id == 7:
            order.status = OrderStatus.EXPIRED  # final but not yet forgotten (inside a pass)
        for symbol in ("XUSDT", "YUSDT", "ZUSDT"):
            listed = registry.open_orders(symbol)
            assert registry.open_counts(symbol) == (len(listed), sum(o.is_algo for o in listed))
            assert [o for o in registry.open_unchecked(symbol) if o.is_open] == listed
