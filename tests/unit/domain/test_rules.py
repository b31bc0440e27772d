"""SymbolRules on real exchangeInfo payloads, plus hand-built edge cases (binance-spot-api.md 1.7)."""

from __future__ import annotations

import json
import lzma
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.rules import ZERO, SymbolRules

D = Decimal
BINANCE_DECIMAL = re.compile(r"^([0-9]{1,20})(\.[0-9]{1,20})?$")  # what Binance accepts (-1100 otherwise)


@pytest.fixture(scope="module")
def nautilus_rules(recorded: Path) -> dict[str, SymbolRules]:
    path = recorded / "nautilus_trader" / "spot_http_json" / "http_spot_market_exchange_info.json"
    info = json.loads(path.read_text(encoding="utf-8"))
    return {s["symbol"]: SymbolRules.from_exchange_info(s) for s in info["symbols"]}


@pytest.fixture(scope="module")
def full_exchange_info(recorded: Path) -> dict[str, Any]:
    with lzma.open(recorded / "cryptofeed_raw" / "BINANCE.0.txt.xz", "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("https://api.binance.com/api/v3/exchangeInfo"):
                info: dict[str, Any] = json.loads(line.split(": ", 1)[1])
                return info
    raise AssertionError("no exchangeInfo line in BINANCE.0.txt.xz")


@pytest.fixture(scope="module")
def btc(nautilus_rules: dict[str, SymbolRules]) -> SymbolRules:
    return nautilus_rules["BTCUSDT"]


def test_btcusdt_filters_are_read_from_the_real_payload(btc: SymbolRules) -> None:
    assert (btc.base_asset, btc.quote_asset, btc.status) == ("BTC", "USDT", "TRADING")
    assert (btc.tick_size, btc.min_price, btc.max_price) == (D("0.01"), D("0.01"), D("1000000"))
    assert (btc.step_size, btc.min_qty, btc.max_qty) == (D("0.00001"), D("0.00001"), D("9000"))
    assert btc.market_step_size == 0 and btc.market_max_qty == D("112.21108820")
    assert btc.min_notional == D("10") and btc.min_notional_applies_to_market  # legacy MIN_NOTIONAL
    assert btc.spot_allowed and btc.oco_allowed and "MARKET" in btc.order_types


def test_every_symbol_of_a_full_exchange_info_parses(full_exchange_info: dict[str, Any]) -> None:
    rules = [SymbolRules.from_exchange_info(s) for s in full_exchange_info["symbols"]]
    assert len(rules) == 1695
    trading_usdt = [r for r in rules if r.status == "TRADING" and r.quote_asset == "USDT"]
    assert len(trading_usdt) == 315
    for r in trading_usdt:
        assert r.tick_size > 0 and r.step_size > 0 and r.min_notional > 0, r.symbol
        assert r.min_qty <= r.max_qty and r.min_price <= r.max_price, r.symbol


def test_rounded_quantities_and_prices_print_as_binance_accepts(full_exchange_info: dict[str, Any]) -> None:
    """Adapters send `format(x, "f")`: it must be a plain decimal for every real tick and step."""
    for entry in full_exchange_info["symbols"][:400]:
        r = SymbolRules.from_exchange_info(entry)
        for value in (r.round_qty(r.min_qty * 10 + r.step_size / 3), r.round_price(r.min_price * 7)):
            assert BINANCE_DECIMAL.match(format(value, "f")), (r.symbol, value)


# -- rounding -------------------------------------------------------------------------------------------
def test_quantity_rounds_down_to_the_step(btc: SymbolRules) -> None:
    assert btc.round_qty(D("0.000129")) == D("0.00012")
    assert btc.round_qty(D("0.00012")) == D("0.00012")


def test_quantity_that_rounds_to_zero_is_zero(btc: SymbolRules) -> None:
    assert btc.round_qty(D("0.000009")) == ZERO
    assert btc.round_qty(D("0")) == ZERO


def test_quantity_below_min_qty_after_rounding_is_zero() -> None:
    rules = SymbolRules("XUSDT", "X", "USDT", step_size=D("0.1"), min_qty=D("1"))
    assert rules.round_qty(D("0.99")) == ZERO
    assert rules.round_qty(D("1.05")) == D("1")


def test_market_quantity_uses_market_lot_size_when_it_is_set(btc: SymbolRules) -> None:
    assert btc.round_qty(D("0.000129"), market=True) == D("0.00012")  # MARKET_LOT_SIZE step 0: LOT_SIZE
    coarse = SymbolRules("XUSDT", "X", "USDT", step_size=D("0.001"), market_step_size=D("0.1"))
    assert coarse.round_qty(D("1.2345"), market=True) == D("1.2")
    assert coarse.round_qty(D("1.2345")) == D("1.234")


@pytest.mark.parametrize(("direction", "expected"), [("down", "42150.00"), ("up", "42150.01"),
                                                     ("nearest", "42150.00")])
def test_price_rounds_to_the_tick(btc: SymbolRules, direction: str, expected: str) -> None:
    assert btc.round_price(D("42150.005"), direction=direction) == D(expected)


def test_price_below_one_tick(btc: SymbolRules) -> None:
    assert btc.round_price(D("0.004")) == ZERO
    assert btc.round_price(D("0.004"), direction="down") == ZERO
    assert btc.round_price(D("0.004"), direction="up") == D("0.01")


def test_a_zero_tick_disables_price_rounding() -> None:
    rules = SymbolRules("XUSDT", "X", "USDT")
    assert rules.round_price(D("1.23456789")) == D("1.23456789")
    assert rules.violations(quantity=D("1"), price=D("1.23456789")) == []


# -- filters --------------------------------------------------------------------------------------------
def test_min_notional_just_missed(btc: SymbolRules) -> None:
    qty = D("0.00023")
    assert not btc.meets_min_notional(qty, D("43478.26"))  # 9.9999998 USDT
    violations = btc.violations(quantity=qty, price=D("43478.26"))
    assert [v.filter_type for v in violations] == ["NOTIONAL"]
    assert violations[0].message == "Filter failure: NOTIONAL"
    assert btc.meets_min_notional(qty, D("43478.27"))
    assert btc.violations(quantity=qty, price=D("43478.27")) == []


def test_price_and_lot_violations_name_their_filter(btc: SymbolRules) -> None:
    off_tick = btc.violations(quantity=D("0.001"), price=D("42150.005"))
    assert [v.filter_type for v in off_tick] == ["PRICE_FILTER"]
    tiny = btc.violations(quantity=D("0.000001"), price=D("42150"))
    assert {v.filter_type for v in tiny} == {"LOT_SIZE", "NOTIONAL"}
    assert [v.filter_type for v in btc.violations(quantity=D("0.0001"), price=D("0"))] == \
        ["PRICE_FILTER", "NOTIONAL"]


def test_a_market_order_has_no_price_filter_but_a_stop_price_does(btc: SymbolRules) -> None:
    assert btc.violations(quantity=D("0.001"), price=D("42150.005"), market=True) == []
    stop = btc.violations(quantity=D("0.001"), price=D("42150"), stop_price=D("41000.001"))
    assert [v.filter_type for v in stop] == ["PRICE_FILTER"]


def test_market_lot_size_max_applies_to_market_orders_only(btc: SymbolRules) -> None:
    assert btc.violations(quantity=D("200"), price=D("40000")) == []
    assert [v.filter_type for v in btc.violations(quantity=D("200"), price=D("40000"), market=True)] == \
        ["MARKET_LOT_SIZE"]


NEW_STYLE = {
    "symbol": "ABCUSDT", "status": "TRADING", "baseAsset": "ABC", "quoteAsset": "USDT",
    "permissions": [], "permissionSets": [["SPOT", "MARGIN"]],
    "filters": [
        {"filterType": "PRICE_FILTER", "minPrice": "0.00100000", "maxPrice": "1000.00000000",
         "tickSize": "0.00100000"},
        {"filterType": "LOT_SIZE", "minQty": "0.10000000", "maxQty": "90000.00000000",
         "stepSize": "0.10000000"},
        {"filterType": "NOTIONAL", "minNotional": "5.00000000", "applyMinToMarket": False,
         "maxNotional": "100.00000000", "applyMaxToMarket": True, "avgPriceMins": 5},
    ],
}


def test_the_current_notional_filter_and_permission_sets() -> None:
    rules = SymbolRules.from_exchange_info(NEW_STYLE)
    assert rules.spot_allowed
    assert (rules.min_notional, rules.max_notional) == (D("5"), D("100"))
    assert [v.filter_type for v in rules.violations(quantity=D("1"), price=D("4"))] == ["NOTIONAL"]
    assert rules.violations(quantity=D("1"), price=D("4"), market=True) == []  # min not applied to market
    assert [v.filter_type for v in rules.violations(quantity=D("100"), price=D("2"), market=True)] == \
        ["NOTIONAL"]  # max applied to market


def test_a_margin_only_symbol_is_not_spot() -> None:
    rules = SymbolRules.from_exchange_info({**NEW_STYLE, "permissionSets": [["MARGIN"]]})
    assert not rules.spot_allowed
