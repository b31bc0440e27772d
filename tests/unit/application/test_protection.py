"""The OCO plan on the exchange grid, the worst case of a buy, and the smallest buy still sellable."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from tests.support.fakes import rules_for

from application.protection import (
    ProtectionPlan,
    entry_refusal,
    market_sale_problem,
    min_entry_quote,
    plan_protection,
    take_profit_type,
)
from domain.orders import OrderType
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


BTC_LIKE = SymbolRules("BTCUSDT", "BTC", "USDT", tick_size=D("0.01"), min_price=D("0.01"),
                       step_size=D("0.00001"), min_qty=D("0.00001"), market_step_size=D("0.00001"),
                       min_notional=D("5"), order_types=("LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT",
                                                         "TAKE_PROFIT_LIMIT"))


def refusal(rules: SymbolRules, quote: float, price: float, band: float = 0.005) -> str | None:
    return entry_refusal(rules, D(repr(quote)), D(repr(price)), taker_fee_rate=0.001, take_profit_pct=0.003,
                         stop_loss_pct=0.004, stop_limit_buffer_pct=0.002, fill_band_pct=band)


def test_the_fee_and_two_step_roundings_are_counted_before_buying() -> None:
    # 6 USDT of BTC at 60,500 buys 0.00009 (the market step floors 0.0000992); less the fee in BTC, that
    # floors to 0.00008 to sell: 4.84 USDT at the entry, less at the stop-limit. Refused, with the filter.
    reason = refusal(BTC_LIKE, 6.0, 60_500.0, band=0.0)
    assert reason is not None and "NOTIONAL" in reason
    assert refusal(BTC_LIKE, 12.0, 60_500.0) is None


def test_a_market_sale_at_the_stop_must_be_possible_too() -> None:
    # The OCO's legs pass the lot filter, but MARKET orders need 30 units: the bot's own exits could not
    # sell it.
    rules = replace(RULES, market_min_qty=D("30"))
    result = plan_protection(rules, D("20"), D("1.0"), 0.003, 0.004, 0.002)
    assert isinstance(result, str) and "market sale at the stop" in result
    assert "below the market lot minimum" in (market_sale_problem(rules, D("20"), D("1")) or "")
    assert market_sale_problem(RULES, D("20"), D("1")) is None
    assert "NOTIONAL" in (market_sale_problem(RULES, D("4.99"), D("1")) or "")


@pytest.mark.parametrize(("rules", "price"), [(RULES, 0.5), (RULES, 1.0), (RULES, 3.7), (BTC_LIKE, 60_000.0),
                                              (BTC_LIKE, 99_999.0)])
def test_min_entry_quote_passes_the_worst_case_and_stays_close(rules: SymbolRules, price: float) -> None:
    minimum = min_entry_quote(rules, price, 0.001, 0.004, 0.002, 0.005)
    assert refusal(rules, minimum, price) is None
    assert refusal(rules, minimum * 1.7, price) is None
    assert refusal(rules, 5.0, price) is not None  # 5 USDT can never be sold again at a lower stop
    # Never more than the notional at the stop-limit plus a few steps of margin.
    step_value = float(max(rules.step_size, rules.market_step_size)) * price
    assert minimum < 5 / (0.995 * 0.996 * 0.998) + 3 * step_value + 0.1


def test_take_profit_leg_type_follows_the_setting_and_the_pair() -> None:
    every = replace(RULES, order_types=tuple(t.value for t in OrderType))
    assert take_profit_type(every, maker=True) is OrderType.LIMIT_MAKER
    assert take_profit_type(every, maker=False) is OrderType.TAKE_PROFIT
    assert take_profit_type(RULES, maker=False) is OrderType.TAKE_PROFIT_LIMIT  # no TAKE_PROFIT type here
    maker_only = replace(RULES, order_types=("LIMIT_MAKER",))
    assert take_profit_type(maker_only, maker=False) is OrderType.LIMIT_MAKER


def test_min_entry_quote_reads_each_rules_own_filters_every_time() -> None:
    coarse = replace(RULES, min_notional=D("50"))
    before = min_entry_quote(RULES, 1.0, 0.001, 0.004, 0.002)
    assert min_entry_quote(coarse, 1.0, 0.001, 0.004, 0.002) > 9 * before  # its own 50 USDT notional
    assert min_entry_quote(RULES, 1.0, 0.001, 0.004, 0.002) == before
    as_market = replace(RULES, order_types=(*RULES.order_types, "STOP_LOSS"))  # no stop-limit tick below
    assert min_entry_quote(as_market, 1.0, 0.001, 0.004, 0.002) < before
