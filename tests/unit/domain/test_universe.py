from __future__ import annotations

import json
import lzma
from pathlib import Path
from typing import Any

import pytest

from domain.rules import SymbolRules
from domain.universe import PEGGED_BASES, is_leveraged_token, select_universe

EXCHANGE_INFO = "cryptofeed_raw/BINANCE.0.txt.xz"


@pytest.fixture(scope="module")
def symbols(recorded: Path) -> list[dict[str, Any]]:
    """The `symbols[]` of a real exchangeInfo (2021-10-12, 1695 symbols)."""
    with lzma.open(recorded / EXCHANGE_INFO, "rt") as lines:
        for line in lines:
            if line.startswith("https://api.binance.com/api/v3/exchangeInfo"):
                return list(json.loads(line.split(": ", 1)[1])["symbols"])
    raise AssertionError("no exchangeInfo line in the capture")


def volumes_for(entries: list[dict[str, Any]]) -> dict[str, float]:
    # Distinct volumes, the larger the earlier the symbol is listed: 1e6, 2e6, ... from the end.
    return {e["symbol"]: float((len(entries) - i) * 1_000_000) for i, e in enumerate(entries)}


@pytest.mark.parametrize(("base", "leveraged"), [
    ("BTCUP", True), ("BTCDOWN", True), ("SUSHIDOWN", True), ("1INCHUP", True), ("ETHBULL", True),
    ("BNBBEAR", True), ("BULL", True), ("BEAR", True),
    ("SUPER", False), ("JUP", False), ("UP", False), ("SYRUP", False), ("DOWN", False), ("PUMP", False),
    ("BTC", False), ("XYZUP", False),  # XYZ is not a listed asset
])
def test_leveraged_tokens_by_name(base: str, leveraged: bool) -> None:
    listed = frozenset({"BTC", "SUSHI", "1INCH", "ETH", "BNB", "SUPER", "UP"})
    assert is_leveraged_token(base, listed) is leveraged


def test_real_exchange_info_gives_liquid_usdt_spot_pairs_only(symbols: list[dict[str, Any]]) -> None:
    volumes = volumes_for(symbols)
    chosen = select_universe(symbols, volumes, min_quote_volume=0.0, max_pairs=1000)
    by_name = {e["symbol"]: e for e in symbols}
    assert chosen, "the capture has hundreds of USDT pairs"
    for name in chosen:
        entry = by_name[name]
        assert entry["quoteAsset"] == "USDT" and entry["status"] == "TRADING"
        assert entry["isSpotTradingAllowed"] is True
        assert entry["baseAsset"] not in PEGGED_BASES
        assert not entry["baseAsset"].endswith(("UP", "DOWN", "BULL", "BEAR"))
    # leveraged tokens, stablecoins, fiat and halted pairs of that day are all out
    for gone in ("BTCUPUSDT", "ETHDOWNUSDT", "USDCUSDT", "BUSDUSDT", "TUSDUSDT", "USDPUSDT", "SUSDUSDT",
                 "EURUSDT", "GBPUSDT", "AUDUSDT", "PAXGUSDT"):
        assert gone in by_name and gone not in chosen
    halted = [e["symbol"] for e in symbols if e["quoteAsset"] == "USDT" and e["status"] != "TRADING"]
    assert halted and not set(halted) & set(chosen)
    assert {"BTCUSDT", "ETHUSDT", "SUPERUSDT", "BNBUSDT"} <= set(chosen)
    assert [volumes[s] for s in chosen] == sorted((volumes[s] for s in chosen), reverse=True)


def test_volume_floor_and_top_n(symbols: list[dict[str, Any]]) -> None:
    volumes = volumes_for(symbols)
    everything = select_universe(symbols, volumes, min_quote_volume=0.0, max_pairs=10_000)
    floor = volumes[everything[40]]
    liquid = select_universe(symbols, volumes, min_quote_volume=floor, max_pairs=10_000)
    assert liquid == everything[:41]
    assert select_universe(symbols, volumes, min_quote_volume=0.0, max_pairs=7) == everything[:7]


def test_symbols_without_a_volume_are_not_liquid(symbols: list[dict[str, Any]]) -> None:
    assert select_universe(symbols, {}, min_quote_volume=1.0, max_pairs=100) == []
    assert select_universe(symbols, {"BTCUSDT": 5.0}, min_quote_volume=1.0, max_pairs=100) == ["BTCUSDT"]


def test_accepts_symbol_rules_and_breaks_volume_ties_by_name(symbols: list[dict[str, Any]]) -> None:
    rules = [SymbolRules.from_exchange_info(e) for e in symbols]
    volumes = dict.fromkeys((e["symbol"] for e in symbols), 7.0)
    chosen = select_universe(rules, volumes, min_quote_volume=1.0, max_pairs=5)
    assert chosen == sorted(chosen)
    assert chosen == select_universe(symbols, volumes, min_quote_volume=1.0, max_pairs=5)


def test_other_quote_asset() -> None:
    entries = [{"symbol": "ETHBTC", "baseAsset": "ETH", "quoteAsset": "BTC", "status": "TRADING",
                "isSpotTradingAllowed": True},
               {"symbol": "ETHUSDT", "baseAsset": "ETH", "quoteAsset": "USDT", "status": "TRADING",
                "isSpotTradingAllowed": True}]
    volumes = {"ETHBTC": 10.0, "ETHUSDT": 10.0}
    chosen = select_universe(entries, volumes, quote_asset="BTC", min_quote_volume=0.0, max_pairs=5)
    assert chosen == ["ETHBTC"]
