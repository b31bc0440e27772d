"""Symbol rules for the simulator: from a real exchangeInfo, or Binance-like defaults for klines."""

from __future__ import annotations

import json
import lzma
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.simulated.symbol_rules import default_rules_for, rules_from_exchange_info, split_symbol

D = Decimal


@pytest.mark.parametrize(("symbol", "price", "tick", "step"), [
    ("BTCUSDT", 60650.0, "1", "0.00001"),  # Binance's real BTCUSDT step is 0.00001 too
    ("ETHUSDT", 3000.0, "0.1", "0.0001"),
    ("DOGEUSDT", 0.5, "0.00001", "1"),
    ("SHIBUSDT", 0.00001234, "0.00000001", "1"),  # no more than 8 decimals, whole coins
])
def test_default_rules_have_a_fine_tick_and_a_step_worth_a_fraction_of_a_dollar(symbol, price, tick,
                                                                                   step) -> None:
    rules = default_rules_for(symbol, price)
    assert (rules.tick_size, rules.step_size, rules.min_notional) == (D(tick), D(step), D(5))
    assert rules.tick_size / D(repr(price)) <= D("0.0001") or rules.tick_size == D("1e-8")
    assert rules.step_size * D(repr(price)) <= 1
    assert rules.symbol == symbol and rules.quote_asset == "USDT"
    assert "STOP_LOSS_LIMIT" in rules.order_types and rules.oco_allowed


def test_default_rules_reject_what_binance_would() -> None:
    rules = default_rules_for("ABCUSDT", 2.0)
    assert [v.filter_type for v in rules.violations(quantity=D("1"), price=D("2.0"))] == ["NOTIONAL"]
    assert rules.violations(quantity=D("3"), price=D("2.0")) == []


def test_symbol_names_split_on_the_longest_known_quote() -> None:
    assert split_symbol("BTCFDUSD") == ("BTC", "FDUSD")
    assert split_symbol("ETHBTC") == ("ETH", "BTC")
    with pytest.raises(ValueError, match="quote asset"):
        split_symbol("WHATEVER")
    with pytest.raises(ValueError, match="positive"):
        default_rules_for("BTCUSDT", 0.0)


def test_rules_from_a_real_full_exchange_info(recorded: Path) -> None:
    with lzma.open(recorded / "cryptofeed_raw" / "BINANCE.0.txt.xz", "rt") as lines:
        raw = next(line for line in lines if line.startswith("https://api.binance.com/api/v3/exchangeInfo"))
    rules = rules_from_exchange_info(json.loads(raw.split(": ", 1)[1]))
    assert len(rules) == 1695
    nkn = rules["NKNUSDT"]
    assert (nkn.base_asset, nkn.quote_asset) == ("NKN", "USDT")
    assert nkn.tick_size > 0 and nkn.step_size > 0 and nkn.min_notional > 0
