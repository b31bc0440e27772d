"""The dynamic symbol universe from Binance's public REST API (spec 2.3, 4.2).

GET /api/v3/exchangeInfo (weight 20) and GET /api/v3/ticker/24hr for all symbols (weight 80), then the
pure rule `domain.universe.select_universe`. The answer is cached for `refresh_seconds` (an hour by
default): asking more often costs nothing. Failures become ports.errors types: HTTP 429/418 ->
RateLimited, network/5xx/malformed payload -> ExchangeUnavailable (retryable); the cache is kept.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import InvalidOperation
from typing import Any

import aiohttp

from adapters.binance.errors import to_port_error
from domain.rules import SymbolRules
from domain.universe import select_universe
from ports.errors import ExchangeError, ExchangeUnavailable

SessionFactory = Callable[[], aiohttp.ClientSession]


def parse_exchange_symbols(info: Any) -> list[SymbolRules]:
    """`symbols[]` of an exchangeInfo body as SymbolRules; ExchangeUnavailable naming what is wrong."""
    if not isinstance(info, dict) or not isinstance(info.get("symbols"), list):
        raise ExchangeUnavailable(f"exchangeInfo: expected an object with a 'symbols' array, got "
                                  f"{str(info)[:200]}")
    rules = []
    for i, entry in enumerate(info["symbols"]):
        try:
            rules.append(SymbolRules.from_exchange_info(entry))
        except (KeyError, TypeError, AttributeError, InvalidOperation, ValueError) as exc:
            raise ExchangeUnavailable(f"exchangeInfo: symbols[{i}] is malformed ({exc!r}): "
                                      f"{str(entry)[:200]}") from None
    return rules


def parse_quote_volumes(tickers: Any) -> dict[str, float]:
    """symbol -> 24 h quote volume from a GET /api/v3/ticker/24hr array."""
    if not isinstance(tickers, list):
        raise ExchangeUnavailable(f"ticker/24hr: expected an array, got {str(tickers)[:200]}")
    volumes = {}
    for i, row in enumerate(tickers):
        try:
            volumes[str(row["symbol"])] = float(row["quoteVolume"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ExchangeUnavailable(f"ticker/24hr: item {i} is malformed ({exc!r}): "
                                      f"{str(row)[:200]}") from None
    return volumes


class BinanceSymbolUniverse:
    """`ports.symbols.SymbolUniverse` over Binance REST (or the local venue: any base URL)."""

    def __init__(self, rest_base_url: str, *, min_quote_volume: float, max_pairs: int,
                 quote_asset: str = "USDT", refresh_seconds: float = 3600.0, timeout_seconds: float = 10.0,
                 session_factory: SessionFactory = aiohttp.ClientSession,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._base_url = rest_base_url.rstrip("/")
        self._min_quote_volume = min_quote_volume
        self._max_pairs = max_pairs
        self._quote_asset = quote_asset
        self._refresh_seconds = refresh_seconds
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session_factory = session_factory
        self._monotonic = monotonic
        self._cached: list[str] | None = None
        self._fetched_at = 0.0

    async def tradable_symbols(self) -> Sequence[str]:
        now = self._monotonic()
        if self._cached is not None and now - self._fetched_at < self._refresh_seconds:
            return list(self._cached)
        async with self._session_factory() as session:
            info = await self._get(session, "/api/v3/exchangeInfo")
            tickers = await self._get(session, "/api/v3/ticker/24hr")
        self._cached = select_universe(parse_exchange_symbols(info), parse_quote_volumes(tickers),
                                       quote_asset=self._quote_asset, min_quote_volume=self._min_quote_volume,
                                       max_pairs=self._max_pairs)
        self._fetched_at = now
        return list(self._cached)

    async def _get(self, session: aiohttp.ClientSession, path: str) -> Any:
        try:
            async with session.get(self._base_url + path, timeout=self._timeout) as response:
                if response.status >= 400:
                    raise _http_error(response.status, await response.text(), response.headers)
                return await response.json(content_type=None)
        except ExchangeError:
            raise
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ExchangeUnavailable(f"GET {path}: {exc.__class__.__name__}: {exc}") from exc


def _http_error(status: int, text: str, headers: Mapping[str, str]) -> ExchangeError:
    code, message = None, text[:200]
    try:
        body = json.loads(text)
        if isinstance(body, dict):
            code, message = body.get("code"), str(body.get("msg", message))
    except ValueError:
        pass
    retry_after = headers.get("Retry-After")
    return to_port_error(status, code if isinstance(code, int) else None, message,
                         retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None)
