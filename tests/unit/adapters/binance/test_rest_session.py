"""The REST connection stays open between orders: requests share one kept-alive connection, an idle one is
pinged so that the next order finds it open, and nothing is sent once the adapter is closed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from pydantic import SecretStr

from adapters.binance.rate_limiter import RateLimiter
from adapters.binance.signed_rest import SignedRest
from adapters.clocks import SystemClock
from ports.errors import ExchangeError

Seen = list[tuple[str, int, str]]  # (path, connection, API key header)


@asynccontextmanager
async def local_binance() -> AsyncIterator[tuple[str, Seen]]:
    seen: Seen = []

    async def answer(request: web.Request) -> web.Response:
        seen.append((request.path, id(request.transport), request.headers.get("X-MBX-APIKEY", "")))
        if request.path == "/api/v3/account":
            return web.Response(status=400, text="<html>not JSON</html>")
        return web.json_response({"serverTime": 1} if request.path == "/api/v3/time" else {})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()


def signed_rest(url: str) -> SignedRest:
    clock = SystemClock()
    return SignedRest(SecretStr("key-1"), SecretStr("secret-1"), base_url=url, timeout=2.0, recv_window=5000,
                      clock=clock, limiter=RateLimiter(clock))


async def test_an_idle_connection_is_pinged_and_reused_until_closed() -> None:
    async with local_binance() as (url, seen):
        rest = signed_rest(url)
        rest.keep_warm_s = 0.05
        await rest.sync_time()
        await asyncio.sleep(0.3)
        await rest.call("time", weight=1, signed=False)
        await rest.close()
        sent = len(seen)
        await asyncio.sleep(0.2)
    paths = [path for path, _, _ in seen]
    assert paths[0] == paths[-1] == "/api/v3/time" and paths.count("/api/v3/ping") >= 2
    assert len({connection for _, connection, _ in seen}) == 1  # one connection, kept alive throughout
    assert {key for _, _, key in seen} == {"key-1"}
    assert len(seen) == sent  # the warmer stopped with the adapter


async def test_a_4xx_without_a_binance_body_is_an_exchange_error() -> None:
    async with local_binance() as (url, _):
        rest = signed_rest(url)
        with pytest.raises(ExchangeError, match="not JSON"):
            await rest.call("account", weight=20)
        await rest.close()
