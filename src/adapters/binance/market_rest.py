"""The few public REST market-data calls the stream feed needs (server time, klines, depth), over the
feed's own aiohttp session. Errors become ports.errors types; nothing here is signed.

Binance counts REQUEST_WEIGHT per IP over market and signed routes alike: given the account's RateLimiter
(the one BinanceExchange uses), every call here acquires its weight there, feeds back the server's count
and honours 429/418, so the two sides never spend the budget blind to each other."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp

from adapters.binance.rate_limiter import RateLimiter
from ports.errors import ExchangeError, ExchangeUnavailable, RateLimited

JsonValue = Any
# REQUEST_WEIGHT (binance-spot-api.md 1.5); depth by its limit.
_WEIGHTS = {"/api/v3/time": 1, "/api/v3/klines": 2}
_DEPTH_WEIGHTS = ((100, 5), (500, 25), (1000, 50))


def request_weight(path: str, params: Mapping[str, str]) -> int:
    if path == "/api/v3/depth":
        limit = int(params.get("limit", "100"))
        return next((w for top, w in _DEPTH_WEIGHTS if limit <= top), 250)
    return _WEIGHTS.get(path, 1)


class MarketRest:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, *, timeout_sec: float = 10.0,
                 limiter: RateLimiter | None = None) -> None:
        self._session = session
        self._limiter = limiter
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_sec)
        self.used_weight_1m = 0  # last X-MBX-USED-WEIGHT-1M seen

    async def server_time_ms(self) -> int:
        body = await self._get("/api/v3/time", {})
        return int(body["serverTime"])

    async def klines(self, symbol: str, *, interval: str = "1m", start_ms: int | None = None,
                     end_ms: int | None = None, limit: int = 500) -> list[list[JsonValue]]:
        params: dict[str, str] = {"symbol": symbol, "interval": interval, "limit": str(limit)}
        if start_ms is not None:
            params["startTime"] = str(start_ms)
        if end_ms is not None:
            params["endTime"] = str(end_ms)
        rows = await self._get("/api/v3/klines", params)
        if not isinstance(rows, list):
            raise ExchangeError(f"klines for {symbol}: expected a JSON array, got {type(rows).__name__}")
        return rows

    async def depth(self, symbol: str, limit: int = 20) -> Mapping[str, JsonValue]:
        body = await self._get("/api/v3/depth", {"symbol": symbol, "limit": str(limit)})
        if not isinstance(body, dict):
            raise ExchangeError(f"depth for {symbol}: expected a JSON object, got {type(body).__name__}")
        return body

    async def _get(self, path: str, params: Mapping[str, str]) -> JsonValue:
        url = self._base_url + path
        if self._limiter is not None:
            await self._limiter.acquire(request_weight(path, params))
        try:
            async with self._session.get(url, params=params, timeout=self._timeout) as response:
                self.used_weight_1m = int(response.headers.get("X-MBX-USED-WEIGHT-1M", self.used_weight_1m))
                if self._limiter is not None:
                    self._limiter.observe(response.headers)
                if response.status in (418, 429):
                    retry_after = float(response.headers.get("Retry-After", "60"))
                    if self._limiter is not None:
                        limiter = self._limiter
                        (limiter.ban if response.status == 418 else limiter.back_off)(retry_after)
                    raise RateLimited(f"GET {path}: HTTP {response.status}", retry_after=retry_after,
                                      banned=response.status == 418, code=response.status)
                if response.status >= 500:
                    raise ExchangeUnavailable(f"GET {path}: HTTP {response.status}", code=response.status)
                body = await response.json(content_type=None)
                if response.status >= 400:
                    code = body.get("code") if isinstance(body, dict) else None
                    msg = body.get("msg") if isinstance(body, dict) else body
                    raise ExchangeError(f"GET {path} {dict(params)}: {msg}", code=code)
                return body
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ExchangeUnavailable(f"GET {path}: {exc.__class__.__name__}: {exc}") from exc
