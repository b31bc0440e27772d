"""The REST connection to Binance: one aiohttp session on the bot's event loop, its connections kept alive.

A request goes out from the coroutine that asked for it, without a thread hand-off: aiohttp writes a
body-less request's bytes to a pooled connection before its first await that suspends (TCP_NODELAY is
aiohttp's default), so an order leaves before the loop runs anything else. Answers are judged as
binance-connector judges them (binance.error.ClientError for 4xx, ServerError for 5xx), so the error
mapping of signed_rest.py is the connector's.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from binance.__version__ import __version__ as connector_version
from binance.error import ClientError, ServerError
from yarl import URL

KEEPALIVE_S = 60.0  # an idle connection stays open this long: the next order skips TCP and TLS set-up
_LIMIT_HEADERS = ("x-mbx-used-weight", "x-mbx-order-count", "x-sapi-used")


@dataclass(frozen=True, slots=True)
class RestAnswer:
    data: Any
    limit_usage: dict[str, str]


class RestSession:
    def __init__(self, base_url: str, api_key: str, timeout: float) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"Content-Type": "application/json;charset=utf-8",  # as binance-connector sends
                         "User-Agent": f"binance-connector-python/{connector_version}",
                         "X-MBX-APIKEY": api_key}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_flight, self._last_done = 0, 0.0

    def idle_s(self) -> float:
        """Seconds since the last answer; 0 while a request is under way."""
        if self._in_flight or self._loop is None:
            return 0.0
        return self._loop.time() - self._last_done

    def _open(self) -> aiohttp.ClientSession:
        """The session of the running loop (a BinanceExchange may outlive one asyncio.run)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(headers=self._headers, timeout=self._timeout,
                                                  connector=connector, auto_decompress=True)
            self._loop = loop
        return self._session

    async def send(self, http_method: str, path_and_query: str) -> RestAnswer:
        """One request; ClientError / ServerError as the connector raises them; aiohttp's and asyncio's
        own errors (timeout, connection) pass through."""
        session = self._open()
        url = URL(self._base + path_and_query, encoded=True)
        self._in_flight += 1
        try:
            async with session.request(http_method, url) as response:
                text = await response.text()
                return _answer(response.status, text, response.headers)
        finally:
            self._in_flight -= 1
            self._last_done = asyncio.get_running_loop().time()

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed and self._loop is asyncio.get_running_loop():
            await session.close()


def _answer(status: int, text: str, headers: Mapping[str, str]) -> RestAnswer:
    if 400 <= status < 500:
        try:
            error = json.loads(text)
        except ValueError:
            raise ClientError(status, None, text, headers, None) from None
        raise ClientError(status, error["code"], error["msg"], headers, error.get("data"))
    if status >= 500:
        raise ServerError(status, text)
    try:
        data = json.loads(text)
    except ValueError:
        data = text
    usage = {key.lower(): value for key, value in headers.items() if key.lower().startswith(_LIMIT_HEADERS)}
    return RestAnswer(data, usage)
