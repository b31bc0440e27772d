"""The venue's signed REST trading side on the wire, with a plain aiohttp client: Binance's signing,
timing, error and rate-limit rules (binance-spot-api.md 1.3, 1.4, 2, 3, 9)."""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from adapters.simulated.venue.data import VenueData, load_venue_data
from adapters.simulated.venue.signing import hmac_signature, request_params, signed_payload
from adapters.simulated.venue.trading import TradingVenue, serve_trading_venue
from adapters.simulated.venue.trading_desk import DEFAULT_API_KEY, DEFAULT_API_SECRET, TradingConfig

START_MS = 1_775_001_600_000  # 2026-04-01 00:00 UTC, in the committed sample
SYMBOL = "XRPUSDT"


@functools.cache
def venue_data(sample_klines: Path) -> VenueData:
    return load_venue_data(
        sample_klines, symbols=(SYMBOL,), start_ms=START_MS, minutes=60, warmup_ms=3_600_000
    )


def test_hmac_matches_the_binance_documentation_vector() -> None:
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    payload = (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
        "&timestamp=1499827319559"
    )
    assert (
        hmac_signature(secret, payload) == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )


def test_query_wins_over_body_and_the_signature_covers_query_then_body() -> None:
    params = request_params("symbol=A&timestamp=1&signature=abc", "symbol=B&quantity=2")
    assert params == {"symbol": "A", "quantity": "2", "timestamp": "1", "signature": "abc"}
    assert (
        signed_payload("symbol=A&timestamp=1&signature=abc", "quantity=2") == "symbol=A&timestamp=1quantity=2"
    )


class Client:
    """Signs like binance-connector: every parameter in the query string, body empty."""

    def __init__(self, session: aiohttp.ClientSession, venue: TradingVenue) -> None:
        self.session, self.venue = session, venue

    def now(self) -> int:
        return self.venue.desk.now_ms()

    async def call(
        self,
        method: str,
        path: str,
        params: dict[str, Any],
        *,
        key: str = DEFAULT_API_KEY,
        secret: str = DEFAULT_API_SECRET,
        timestamp: int | None = None,
        sign: bool = True,
    ) -> tuple[int, Any, Any]:
        query = urlencode({**params, "timestamp": self.now() if timestamp is None else timestamp})
        if sign:
            query += "&signature=" + hmac_signature(secret, query)
        async with self.session.request(
            method, f"{self.venue.rest_url}{path}?{query}", headers={"X-MBX-APIKEY": key} if key else {}
        ) as reply:
            return reply.status, await reply.json(content_type=None), reply.headers


@pytest.fixture
async def client(sample_klines: Path) -> AsyncIterator[Client]:
    async with serve_trading_venue(venue_data(sample_klines)) as venue, aiohttp.ClientSession() as session:
        yield Client(session, venue)


BUY = {"symbol": SYMBOL, "side": "BUY", "type": "MARKET", "quoteOrderQty": "20"}


async def test_market_order_answer_has_binance_shape_and_headers(client: Client) -> None:
    status, body, headers = await client.call("POST", "/api/v3/order", {**BUY, "newClientOrderId": "w-1"})
    assert status == 200, body
    assert headers["Content-Type"].startswith("application/json")
    assert body["clientOrderId"] == "w-1" and body["orderListId"] == -1 and body["status"] == "FILLED"
    assert "cummulativeQuoteQty" in body and body["executedQty"].count(".") == 1
    assert len(body["executedQty"].split(".")[1]) == 8
    assert body["fills"] and {"price", "qty", "commission", "commissionAsset", "tradeId"} <= set(
        body["fills"][0]
    )
    assert headers["X-MBX-ORDER-COUNT-10S"] == "1" and headers["X-MBX-ORDER-COUNT-1D"] == "1"
    assert "X-MBX-USED-WEIGHT-1M" in headers


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("no key", 401, -2014),
        ("unknown key", 401, -2015),
        ("bad signature", 400, -1022),
        ("1 s ahead", 400, -1021),
        ("too old", 400, -1021),
        ("unsigned", 400, -1102),
    ],
)
async def test_authentication_and_timing_refusals(client: Client, case: str, status: int, code: int) -> None:
    kw: dict[str, Any] = {
        "no key": {"key": ""},
        "unknown key": {"key": "who"},
        "bad signature": {"secret": "not-the-secret"},
        "1 s ahead": {"timestamp": client.now() + 1_500},
        "too old": {"timestamp": client.now() - 6_000},
        "unsigned": {"sign": False},
    }[case]
    got, body, _ = await client.call("GET", "/api/v3/account", {}, **kw)
    assert (got, body["code"]) == (status, code), body
    assert isinstance(body["msg"], str) and body["msg"]


async def test_exponent_quantities_are_illegal_characters(client: Client) -> None:
    status, body, _ = await client.call(
        "POST", "/api/v3/order", {"symbol": SYMBOL, "side": "BUY", "type": "MARKET", "quantity": "1e-05"}
    )
    assert (status, body["code"]) == (400, -1100)
    assert "quantity" in body["msg"]


async def test_engine_errors_keep_their_binance_codes(client: Client) -> None:
    status, body, _ = await client.call("POST", "/api/v3/order", {**BUY, "quoteOrderQty": "5000"})
    assert (status, body["code"]) == (400, -2010)
    status, body, _ = await client.call("GET", "/api/v3/order", {"symbol": SYMBOL, "orderId": 99})
    assert (status, body["code"]) == (400, -2013)
    status, body, _ = await client.call("DELETE", "/api/v3/order", {"symbol": SYMBOL, "orderId": 99})
    assert (status, body["code"]) == (400, -2011)
    status, body, _ = await client.call("GET", "/api/v3/order", {"symbol": "NOPE"})
    assert (status, body["code"]) == (400, -1121)


async def test_api_restrictions_and_account(client: Client) -> None:
    status, body, _ = await client.call("GET", "/sapi/v1/account/apiRestrictions", {})
    assert status == 200 and body["enableWithdrawals"] is False and "ipRestrict" in body
    status, body, _ = await client.call("GET", "/api/v3/account", {"omitZeroBalances": "true"})
    assert status == 200 and body["balances"] == [
        {"asset": "USDT", "free": "1000.00000000", "locked": "0.00000000"}
    ]
    assert body["commissionRates"]["taker"] == "0.00100000" and body["takerCommission"] == 10


async def test_weight_over_the_limit_is_429_then_a_ban(sample_klines: Path) -> None:
    limits = ({"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 50},)
    config = TradingConfig(rate_limits=limits, ignored_429_before_ban=2)
    async with (
        serve_trading_venue(venue_data(sample_klines), config=config) as venue,
        aiohttp.ClientSession() as session,
    ):
        client = Client(session, venue)
        statuses = []
        for _ in range(6):  # account weighs 20: the 3rd passes 50
            status, body, headers = await client.call("GET", "/api/v3/account", {})
            statuses.append(status)
            if status == 429:
                assert body["code"] == -1003 and int(headers["Retry-After"]) >= 1
        assert statuses[:2] == [200, 200] and statuses[2] == 429 and statuses[-1] == 418
        async with session.get(f"{venue.rest_url}/api/v3/exchangeInfo") as reply:
            assert reply.status == 418  # the ban is per IP: market data too
        venue.desk.state.clock.advance((config.ban_seconds + 60) * 1000)
        async with session.get(f"{venue.rest_url}/api/v3/exchangeInfo") as reply:
            served = (await reply.json())["rateLimits"]
        assert served == [dict(limit) for limit in limits]


async def test_a_slow_order_fault_executes_before_answering(client: Client) -> None:
    client.venue.desk.faults.delay_next_orders(0.3)
    started = time.monotonic()
    status, _, _ = await client.call("POST", "/api/v3/order", {**BUY, "newClientOrderId": "w-slow"})
    assert status == 200 and time.monotonic() - started >= 0.3
    assert client.venue.desk.engine.get_order(SYMBOL, client_order_id="w-slow").status.value == "FILLED"
