"""The venue's REST market data over HTTP on 127.0.0.1: shapes, no bar from the future, Binance errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import aiohttp
import pytest

from adapters.binance.parse import parse_depth, parse_rest_klines
from adapters.simulated.venue.app import RunningVenue
from domain.rules import SymbolRules

VenueFactory = Callable[..., AbstractAsyncContextManager[RunningVenue]]


async def get(venue: RunningVenue, path: str, **params: Any) -> tuple[int, Any, dict[str, str]]:
    async with aiohttp.ClientSession() as session, \
            session.get(venue.rest_url + path, params=params) as response:
        assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
        return response.status, await response.json(), dict(response.headers)


async def test_ping_time_and_exchange_info(venue_at: VenueFactory) -> None:
    async with venue_at() as venue:
        assert (await get(venue, "/api/v3/ping"))[:2] == (200, {})
        _, body, headers = await get(venue, "/api/v3/time")
        now = venue.state.clock.now_ms()
        assert abs(body["serverTime"] - now) < 60_000 and int(headers["X-MBX-USED-WEIGHT-1M"]) >= 1
        _, info, _ = await get(venue, "/api/v3/exchangeInfo")
        assert [s["symbol"] for s in info["symbols"]] == ["BTCUSDT", "ETHUSDT"]
        for entry in info["symbols"]:
            assert SymbolRules.from_exchange_info(entry) == venue.state.rules[entry["symbol"]]
        _, one, _ = await get(venue, "/api/v3/exchangeInfo", symbol="ETHUSDT")
        assert [s["symbol"] for s in one["symbols"]] == ["ETHUSDT"]
        assert {r["rateLimitType"] for r in info["rateLimits"]} >= {"REQUEST_WEIGHT", "ORDERS"}


async def test_klines_end_with_the_bar_in_progress_and_never_look_ahead(venue_at: VenueFactory) -> None:
    async with venue_at(speed=1.0) as venue:
        _, rows, _ = await get(venue, "/api/v3/klines", symbol="BTCUSDT", interval="1m", limit=5)
        _, server, _ = await get(venue, "/api/v3/time")
        candles = parse_rest_klines(rows, "BTCUSDT", server_time_ms=server["serverTime"])
        assert len(candles) == 5 and [c.closed for c in candles] == [True] * 4 + [False]
        assert [c.open_time_ms for c in candles] == [candles[0].open_time_ms + 60_000 * i for i in range(5)]
        assert candles[-1].open_time_ms <= server["serverTime"] < candles[-1].close_time_ms + 1
        tape = venue.state.tapes["BTCUSDT"]
        i = int(tape.closed_count(server["serverTime"])) - 1
        assert candles[-2].close == tape.close[i] and candles[-2].high == tape.high[i]
        start = candles[0].open_time_ms - 600_000
        _, page, _ = await get(venue, "/api/v3/klines", symbol="BTCUSDT", interval="1m", startTime=start,
                               endTime=start + 179_999)
        assert [r[0] for r in page] == [start, start + 60_000, start + 120_000]
        _, late, _ = await get(venue, "/api/v3/klines", symbol="BTCUSDT", interval="1m",
                               startTime=server["serverTime"] + 3_600_000)
        assert late == []


async def test_longer_intervals_aggregate_the_minutes(venue_at: VenueFactory) -> None:
    async with venue_at(speed=1.0) as venue:
        _, five, _ = await get(venue, "/api/v3/klines", symbol="ETHUSDT", interval="5m", limit=3)
        first = five[0][0]
        _, ones, _ = await get(venue, "/api/v3/klines", symbol="ETHUSDT", interval="1m", startTime=first,
                               endTime=first + 299_999)
        assert first % 300_000 == 0 and five[0][6] == first + 299_999
        assert five[0][1] == ones[0][1] and five[0][4] == ones[-1][4]
        assert float(five[0][2]) == max(float(r[2]) for r in ones)
        assert float(five[0][5]) == pytest.approx(sum(float(r[5]) for r in ones), abs=1e-8)  # 8 decimals


async def test_ticker_24hr_full_mini_and_many(venue_at: VenueFactory) -> None:
    async with venue_at() as venue:
        _, full, _ = await get(venue, "/api/v3/ticker/24hr", symbol="BTCUSDT")
        assert {"priceChange", "bidPrice", "askPrice", "quoteVolume", "count"} <= set(full)
        assert float(full["bidPrice"]) <= float(full["lastPrice"]) < float(full["askPrice"])
        _, mini, _ = await get(venue, "/api/v3/ticker/24hr", symbol="BTCUSDT", type="MINI")
        assert "bidPrice" not in mini and "lastPrice" in mini
        _, every, headers = await get(venue, "/api/v3/ticker/24hr")
        assert [t["symbol"] for t in every] == ["BTCUSDT", "ETHUSDT"] and headers["X-MBX-USED-WEIGHT-1M"]
        _, chosen, _ = await get(venue, "/api/v3/ticker/24hr", symbols=json.dumps(["ETHUSDT"]))
        assert [t["symbol"] for t in chosen] == ["ETHUSDT"]
        _, price, _ = await get(venue, "/api/v3/ticker/price", symbol="ETHUSDT")
        _, top, _ = await get(venue, "/api/v3/ticker/bookTicker", symbol="ETHUSDT")
        assert price["symbol"] == top["symbol"] == "ETHUSDT" and float(price["price"]) > 0
        assert float(top["bidPrice"]) < float(top["askPrice"])
        _, average, _ = await get(venue, "/api/v3/avgPrice", symbol="ETHUSDT")
        assert average["mins"] == 5 and float(average["price"]) > 0


async def test_depth_is_a_valid_book_of_the_asked_size(venue_at: VenueFactory) -> None:
    async with venue_at() as venue:
        _, body, headers = await get(venue, "/api/v3/depth", symbol="BTCUSDT", limit=50)
        book = parse_depth(body, "BTCUSDT")  # raises on a crossed or corrupt book
        assert len(book.bids) == len(book.asks) == 50
        weight = int(headers["X-MBX-USED-WEIGHT-1M"])
        _, _, after_big = await get(venue, "/api/v3/depth", symbol="BTCUSDT", limit=1000)
        assert int(after_big["X-MBX-USED-WEIGHT-1M"]) - weight == 50


async def test_bad_parameters_get_binance_errors(venue_at: VenueFactory) -> None:
    async with venue_at() as venue:
        cases = [
            ("/api/v3/klines", {"symbol": "NOPEUSDT", "interval": "1m"}, -1121),
            ("/api/v3/klines", {"interval": "1m"}, -1102),
            ("/api/v3/klines", {"symbol": "BTCUSDT"}, -1102),
            ("/api/v3/klines", {"symbol": "BTCUSDT", "interval": "7m"}, -1120),
            ("/api/v3/klines", {"symbol": "BTCUSDT", "interval": "1m", "limit": "1e3"}, -1100),
            ("/api/v3/depth", {"symbol": "BTCUSDT", "limit": "6000"}, -1100),
            ("/api/v3/ticker/24hr", {"symbols": "[BTCUSDT"}, -1100),
            ("/api/v3/ticker/24hr", {"type": "HUGE"}, -1100),
        ]
        for path, params, code in cases:
            status, body, _ = await get(venue, path, **params)
            assert (status, body["code"]) == (400, code) and body["msg"], (path, params)


async def test_too_much_weight_gets_429_with_retry_after(venue_at: VenueFactory) -> None:
    async with venue_at(weight_limit_1m=25) as venue:
        statuses = []
        for _ in range(3):
            status, body, headers = await get(venue, "/api/v3/exchangeInfo")  # weight 20
            statuses.append(status)
        assert statuses == [200, 429, 429]
        assert body["code"] == -1003 and 0 < int(headers["Retry-After"]) <= 60
