"""The venue's WebSocket API (/ws-api/v3) with a plain aiohttp client: subscribing to user data with a
signature, the response envelope, and the events an order produces (binance-spot-api.md 5)."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.simulated.venue.data import VenueData, load_venue_data
from adapters.simulated.venue.signing import hmac_signature
from adapters.simulated.venue.trading import TradingVenue, serve_trading_venue
from adapters.simulated.venue.trading_desk import DEFAULT_API_KEY, DEFAULT_API_SECRET
from domain.orders import OcoRequest, OrderRequest, OrderType
from domain.values import Side

START_MS = 1_775_001_600_000  # 2026-04-01 00:00 UTC, in the committed sample
SYMBOL = "XRPUSDT"


@functools.cache
def venue_data(sample_klines: Path) -> VenueData:
    return load_venue_data(
        sample_klines, symbols=(SYMBOL,), start_ms=START_MS, minutes=60, warmup_ms=3_600_000
    )


def signed(venue: TradingVenue, secret: str = DEFAULT_API_SECRET, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"apiKey": DEFAULT_API_KEY, "timestamp": venue.desk.now_ms(), **extra}
    payload = "&".join(f"{k}={params[k]}" for k in sorted(params))
    return {**params, "signature": hmac_signature(secret, payload)}


@pytest.fixture
async def venue(sample_klines: Path) -> AsyncIterator[TradingVenue]:
    async with serve_trading_venue(venue_data(sample_klines)) as running:
        yield running


async def receive(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    async with asyncio.timeout(3):
        message = await ws.receive()
    assert message.type is aiohttp.WSMsgType.TEXT, message
    return json.loads(message.data)  # type: ignore[no-any-return]


async def test_subscribe_signature_then_events_of_an_order(venue: TradingVenue) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(venue.ws_api_url) as ws:
        await ws.send_json(
            {"id": "s1", "method": "userDataStream.subscribe.signature", "params": signed(venue)}
        )
        reply = await receive(ws)
        assert reply["id"] == "s1" and reply["status"] == 200 and reply["result"] == {"subscriptionId": 0}
        assert reply["rateLimits"] and {"rateLimitType", "interval", "limit", "count"} <= set(
            reply["rateLimits"][0]
        )
        venue.desk.sync([SYMBOL])
        venue.desk.engine.place_order(
            OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, "ws-1", quote_quantity=Decimal(20)),
            venue.desk.now_ms(),
        )
        kinds = []
        while "outboundAccountPosition" not in kinds:
            frame = await receive(ws)
            assert frame["subscriptionId"] == 0
            event = frame["event"]
            kinds.append(event["e"])
            if event["e"] == "executionReport" and event["x"] == "TRADE":
                assert event["c"] == "ws-1" and event["X"] == "FILLED" and event["N"] == "XRP"
                assert Decimal(event["l"]) > 0 and event["t"] > 0
        assert kinds[:2] == ["executionReport", "executionReport"] and kinds[-1] == "outboundAccountPosition"


async def test_an_oco_sends_list_status(venue: TradingVenue) -> None:
    desk = venue.desk
    desk.sync([SYMBOL])
    entry = desk.engine.place_order(
        OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, "ws-2", quote_quantity=Decimal(20)), desk.now_ms()
    )
    price = entry.average_price
    rules = desk.engine.rules[SYMBOL]
    async with aiohttp.ClientSession() as session, session.ws_connect(venue.ws_api_url) as ws:
        await ws.send_json({"id": 1, "method": "userDataStream.subscribe.signature", "params": signed(venue)})
        assert (await receive(ws))["status"] == 200
        desk.engine.place_oco(
            OcoRequest(
                SYMBOL,
                rules.round_qty(entry.executed_quantity * Decimal("0.99")),
                rules.round_price(price * Decimal("1.02")),
                rules.round_price(price * Decimal("0.98")),
                None,
                "ws-oco",
            ),
            desk.now_ms(),
        )
        while (event := (await receive(ws))["event"])["e"] != "listStatus":
            pass
        assert event["C"] == "ws-oco" and event["l"] == "EXEC_STARTED" and event["L"] == "EXECUTING"
        assert len(event["O"]) == 2


async def test_refusals_and_envelope_options(venue: TradingVenue) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(venue.ws_api_url) as ws:
        await ws.send_json(
            {"id": 7, "method": "userDataStream.subscribe.signature", "params": signed(venue, secret="wrong")}
        )
        reply = await receive(ws)
        assert reply["status"] == 400 and reply["error"]["code"] == -1022
        await ws.send_json({"id": 8, "method": "userDataStream.subscribe", "params": {}})
        assert (await receive(ws))["error"]["code"] == -2015  # no logon first
        await ws.send_json({"id": 9, "method": "session.logon", "params": signed(venue)})
        assert (await receive(ws))["result"]["apiKey"] == DEFAULT_API_KEY
        await ws.send_json(
            {"id": 10, "method": "userDataStream.subscribe", "params": {"returnRateLimits": False}}
        )
        reply = await receive(ws)
        assert reply["status"] == 200 and "rateLimits" not in reply
        await ws.send_json({"id": 11, "method": "userDataStream.subscribe", "params": {}})
        assert (await receive(ws))["error"]["code"] == -2035  # one subscription per connection
        await ws.send_str("not json")
        assert (await receive(ws))["status"] == 400
