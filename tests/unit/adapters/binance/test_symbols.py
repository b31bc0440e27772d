"""BinanceSymbolUniverse against a tiny Binance-shaped server on 127.0.0.1 serving a real exchangeInfo."""

from __future__ import annotations

import json
import lzma
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from adapters.binance.symbols import BinanceSymbolUniverse
from ports.errors import ExchangeError, ExchangeUnavailable, RateLimited

EXCHANGE_INFO = "cryptofeed_raw/BINANCE.0.txt.xz"


@pytest.fixture(scope="module")
def exchange_info_text(recorded: Path) -> str:
    with lzma.open(recorded / EXCHANGE_INFO, "rt") as lines:
        for line in lines:
            if line.startswith("https://api.binance.com/api/v3/exchangeInfo"):
                return line.split(": ", 1)[1].strip()
    raise AssertionError("no exchangeInfo line in the capture")


def ticker_24hr(info: dict[str, Any]) -> list[dict[str, str]]:
    """A 24 h ticker list for every symbol: BTCUSDT busiest, then decreasing; a few USDT pairs thin."""
    rows = []
    for i, entry in enumerate(info["symbols"]):
        volume = 5e9 if entry["symbol"] == "BTCUSDT" else 4e9 / (i + 1)
        rows.append({"symbol": entry["symbol"], "lastPrice": "1.00000000", "volume": "1.00000000",
                     "quoteVolume": f"{volume:.8f}", "count": 10})
    return rows


@dataclass
class FakeBinance:
    exchange_info: str
    tickers: Any
    hits: list[str] = field(default_factory=list)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.hits.append(request.path)
        if self.status != 200:
            return web.Response(status=self.status, text=self.body or "", headers=self.headers)
        if request.path == "/api/v3/exchangeInfo":
            return web.Response(text=self.body or self.exchange_info, content_type="application/json")
        return web.Response(text=json.dumps(self.tickers), content_type="application/json")


@pytest.fixture
async def server(exchange_info_text: str) -> AsyncIterator[tuple[FakeBinance, str]]:
    fake = FakeBinance(exchange_info_text, ticker_24hr(json.loads(exchange_info_text)))
    app = web.Application()
    app.router.add_get("/api/v3/exchangeInfo", fake.handle)
    app.router.add_get("/api/v3/ticker/24hr", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield fake, f"http://127.0.0.1:{port}/"
    await runner.cleanup()


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def universe(url: str, clock: Callable[[], float] | None = None, **kw: Any) -> BinanceSymbolUniverse:
    args: dict[str, Any] = {"min_quote_volume": 1e7, "max_pairs": 50} | kw
    return BinanceSymbolUniverse(url, monotonic=clock or FakeMonotonic(), **args)


async def test_selects_from_the_real_exchange_info(server: tuple[FakeBinance, str]) -> None:
    fake, url = server
    chosen = list(await universe(url).tradable_symbols())
    info = {e["symbol"]: e for e in json.loads(fake.exchange_info)["symbols"]}
    volumes = {t["symbol"]: float(t["quoteVolume"]) for t in fake.tickers}
    assert chosen[0] == "BTCUSDT"
    assert 0 < len(chosen) <= 50
    assert all(info[s]["quoteAsset"] == "USDT" and info[s]["status"] == "TRADING" for s in chosen)
    assert all(volumes[s] >= 1e7 for s in chosen)
    assert not {"BTCUPUSDT", "BTCDOWNUSDT", "USDCUSDT", "BUSDUSDT", "EURUSDT"} & set(chosen)
    assert sorted(fake.hits) == ["/api/v3/exchangeInfo", "/api/v3/ticker/24hr"]


async def test_caches_for_the_refresh_period(server: tuple[FakeBinance, str]) -> None:
    fake, url = server
    clock = FakeMonotonic()
    source = universe(url, clock, refresh_seconds=3600.0)
    first = await source.tradable_symbols()
    clock.now += 3599.0
    assert await source.tradable_symbols() == first
    assert len(fake.hits) == 2  # weight 100 an hour, not a call per question
    clock.now += 1.0
    fake.tickers = [t | {"quoteVolume": "0"} if t["symbol"] == "BTCUSDT" else t for t in fake.tickers]
    refreshed = await source.tradable_symbols()
    assert len(fake.hits) == 4 and "BTCUSDT" not in refreshed


async def test_rate_limit_becomes_rate_limited_with_retry_after(server: tuple[FakeBinance, str]) -> None:
    fake, url = server
    fake.status, fake.headers = 429, {"Retry-After": "7"}
    fake.body = '{"code":-1003,"msg":"Too much request weight used."}'
    with pytest.raises(RateLimited) as caught:
        await universe(url).tradable_symbols()
    assert caught.value.retry_after == 7.0 and caught.value.retryable


async def test_server_error_is_unavailable(server: tuple[FakeBinance, str]) -> None:
    fake, url = server
    fake.status = 503
    with pytest.raises(ExchangeUnavailable):
        await universe(url).tradable_symbols()


@pytest.mark.parametrize(("body", "tickers", "words"), [
    ('{"symbols": "nope"}', [], "'symbols' array"),
    ('{"symbols": [{"status": "TRADING"}]}', [], "symbols[0]"),
    ("<html>maintenance</html>", [], "JSONDecodeError"),
    (None, {"not": "a list"}, "expected an array"),
    (None, [{"symbol": "BTCUSDT", "quoteVolume": "lots"}], "item 0"),
])
async def test_malformed_payloads_are_clear_errors(server: tuple[FakeBinance, str], body: str | None,
                                                   tickers: Any, words: str) -> None:
    fake, url = server
    fake.body, fake.tickers = body, tickers
    with pytest.raises(ExchangeUnavailable, match=words.replace("[", r"\[").replace("]", r"\]")):
        await universe(url).tradable_symbols()


async def test_a_dead_server_is_unavailable() -> None:
    with pytest.raises(ExchangeError) as caught:
        await universe("http://127.0.0.1:9", timeout_seconds=2.0).tradable_symbols()
    assert isinstance(caught.value, ExchangeUnavailable) and caught.value.retryable
