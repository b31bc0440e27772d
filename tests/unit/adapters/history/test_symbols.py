"""`top:N` selection on a real exchangeInfo (2021-10-12, 1695 symbols, with leveraged tokens)."""

from __future__ import annotations

import json
import lzma
from pathlib import Path
from typing import Any

import pytest

from adapters.history.rest import select_top_symbols, tradable_bases
from adapters.history.schema import HistoryDataError


def real_exchange_info(recorded: Path) -> dict[str, Any]:
    with lzma.open(recorded / "cryptofeed_raw/BINANCE.0.txt.xz", "rt") as lines:
        for line in lines:
            if line.startswith("https://api.binance.com/api/v3/exchangeInfo"):
                info: dict[str, Any] = json.loads(line.split(": ", 1)[1])
                return info
    raise AssertionError("no exchangeInfo in the capture")


@pytest.fixture(scope="module")
def info(recorded: Path) -> dict[str, Any]:
    return real_exchange_info(recorded)


def test_tradable_usdt_pairs_exclude_stablecoins_and_leveraged_tokens(info: dict[str, Any]) -> None:
    pairs = tradable_bases(info)
    assert {"BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT"} <= set(pairs)
    assert not {"USDCUSDT", "BUSDUSDT", "TUSDUSDT", "PAXUSDT", "EURUSDT"} & set(pairs)
    assert not {"BTCUPUSDT", "BTCDOWNUSDT", "ETHUPUSDT", "BNBDOWNUSDT"} & set(pairs)
    assert all(symbol.endswith("USDT") for symbol in pairs)
    assert 250 < len(pairs) < 320  # 315 USDT pairs traded that day, less the excluded ones
    leveraged = [s for s in info["symbols"] if "LEVERAGED" in s.get("permissions", [])]
    assert leveraged and not {s["symbol"] for s in leveraged} & set(pairs)


def test_top_n_by_quote_volume(info: dict[str, Any]) -> None:
    volumes = {"BTCDOWNUSDT": "1e15", "BUSDUSDT": "1e14", "XRPUSDT": "3e9", "BTCUSDT": "5e9",
               "ETHBTC": "9e9", "DOGEUSDT": "1e9"}
    tickers = [{"symbol": s, "quoteVolume": v} for s, v in volumes.items()]
    assert select_top_symbols(info, tickers, 2) == ["BTCUSDT", "XRPUSDT"]
    assert select_top_symbols(info, tickers, 10) == ["BTCUSDT", "XRPUSDT", "DOGEUSDT"]
    with pytest.raises(HistoryDataError, match=r"row 0 \(BTCUSDT\).*quoteVolume"):
        select_top_symbols(info, [{"symbol": "BTCUSDT"}], 1)
    with pytest.raises(ValueError, match="N >= 1"):
        select_top_symbols(info, tickers, 0)
