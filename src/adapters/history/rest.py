"""Binance spot REST endpoints the history needs: klines (fallback for days not archived yet), and the
24 h tickers + exchangeInfo that pick the `top:N` pairs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from adapters.history.archive_files import parse_rest_klines
from adapters.history.http import HistoryHttp
from adapters.history.schema import HistoryDataError, empty_frame, interval_ms

KLINES_LIMIT = 1000
# Spec 2.3: no stablecoins (nor fiat-pegged) as base asset; no leveraged tokens.
STABLE_BASES = frozenset({
    "USDC", "BUSD", "TUSD", "USDP", "PAX", "DAI", "FDUSD", "UST", "USTC", "USDD", "GUSD", "PYUSD", "SUSD",
    "USDS", "USDE", "AEUR", "EUR", "EURI", "GBP", "AUD", "TRY", "BRL", "BIDR", "IDRT", "RUB", "UAH",
    "NGN", "ZAR", "BVND", "VAI", "XUSD", "BFUSD", "USD1", "RLUSD",
})
LEVERAGED_SUFFIXES = ("UP", "DOWN", "BULL", "BEAR")


class BinanceHistoryRest:
    def __init__(self, http: HistoryHttp, base_url: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/")

    async def klines(self, symbol: str, interval: str, start_ms: int, end_ms: int) -> pd.DataFrame:
        """Klines whose open time is in [start_ms, end_ms), paging by KLINES_LIMIT."""
        step = interval_ms(interval)
        frames: list[pd.DataFrame] = []
        cursor = start_ms
        while cursor < end_ms:
            params: dict[str, str | int] = {"symbol": symbol, "interval": interval, "startTime": cursor,
                                            "endTime": end_ms - 1, "limit": KLINES_LIMIT}
            payload = await self._http.get_json(f"{self._base}/api/v3/klines", params)
            frame = parse_rest_klines(payload, f"GET /api/v3/klines {symbol} {interval} from {cursor}")
            if frame.empty:
                break
            frames.append(frame)
            last = int(frame["open_time_ms"].iloc[-1])
            if len(frame) < KLINES_LIMIT or last + step <= cursor:
                break
            cursor = last + step
        if not frames:
            return empty_frame()
        out = pd.concat(frames, ignore_index=True)
        return out[(out["open_time_ms"] >= start_ms) & (out["open_time_ms"] < end_ms)]

    async def top_symbols(self, count: int, quote: str = "USDT") -> list[str]:
        info = await self._http.get_json(f"{self._base}/api/v3/exchangeInfo")
        tickers = await self._http.get_json(f"{self._base}/api/v3/ticker/24hr")
        return select_top_symbols(info, tickers, count, quote)


def _is_leveraged(base: str, bases: set[str], entry: Mapping[str, Any]) -> bool:
    permissions = {p for group in entry.get("permissionSets") or [entry.get("permissions") or []]
                   for p in group}
    if "LEVERAGED" in permissions:
        return True
    return any(base.endswith(sfx) and base[:-len(sfx)] in bases for sfx in LEVERAGED_SUFFIXES)


def tradable_bases(exchange_info: Mapping[str, Any], quote: str = "USDT") -> dict[str, str]:
    """symbol -> base asset for spot pairs in `quote` that trade, minus stablecoins and leveraged tokens."""
    symbols = exchange_info.get("symbols")
    if not isinstance(symbols, list):
        raise HistoryDataError("exchangeInfo: no 'symbols' array")
    all_bases = {str(s.get("baseAsset")) for s in symbols}
    out: dict[str, str] = {}
    for entry in symbols:
        base, symbol = str(entry.get("baseAsset", "")), str(entry.get("symbol", ""))
        if (entry.get("quoteAsset") != quote or entry.get("status") != "TRADING"
                or entry.get("isSpotTradingAllowed") is False):
            continue
        if base in STABLE_BASES or _is_leveraged(base, all_bases, entry):
            continue
        out[symbol] = base
    return out


def select_top_symbols(exchange_info: Mapping[str, Any], tickers: Sequence[Mapping[str, Any]], count: int,
                       quote: str = "USDT") -> list[str]:
    """The `count` eligible pairs with the highest 24 h quote volume, highest first."""
    if count < 1:
        raise ValueError(f"top:N needs N >= 1, got {count}")
    eligible = tradable_bases(exchange_info, quote)
    volumes: list[tuple[float, str]] = []
    for row, ticker in enumerate(tickers):
        symbol = ticker.get("symbol")
        if symbol not in eligible:
            continue
        try:
            volumes.append((float(ticker["quoteVolume"]), str(symbol)))
        except (KeyError, TypeError, ValueError) as exc:
            raise HistoryDataError(f"ticker/24hr row {row} ({symbol}): bad 'quoteVolume': {exc}") from exc
    volumes.sort(key=lambda item: (-item[0], item[1]))
    return [symbol for _, symbol in volumes[:count]]
