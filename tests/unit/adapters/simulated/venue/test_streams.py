"""The venue's market streams with a bare aiohttp client: control messages, wire formats, limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import aiohttp
import pytest

from adapters.simulated.venue.app import RunningVenue
from adapters.simulated.venue.control import Subscriptions, handle_control

VenueFactory = Callable[..., AbstractAsyncContextManager[RunningVenue]]


async def frames(ws: aiohttp.ClientWebSocketResponse, count: int, within: float = 2.0) -> list[Any]:
    out: list[Any] = []
    async with asyncio.timeout(within):
        while len(out) < count:
            message = await ws.receive()
            if message.type is not aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"socket ended: {message.type}")
            out.append(json.loads(message.data))
    return out


def test_control_messages_and_their_errors() -> None:
    subs = Subscriptions(combined=True, max_streams=3)
    assert handle_control(subs, '{"method": "SUBSCRIBE", "params": ["btcusdt@kline_1m"], "id": 1}') == {
        "result": None, "id": 1}
    assert handle_control(subs, '{"method": "LIST_SUBSCRIPTIONS", "id": "a"}') == {
        "result": ["btcusdt@kline_1m"], "id": "a"}
    errors = {
        '{"method": "SUBSCRIBE", "params": ["BTCUSDT@kline_1m"], "id": 2}': 2,
        '{"method": "SUBSCRIBE", "params": ["btcusdt@kline_7m"], "id": 2}': 2,
        '{"method": "SUBSCRIBE", "params": ["a@trade", "b@trade", "c@trade"], "id": 3}': 2,
        '{"method": "SUBSCRIBE", "params": ["btcusdt@trade"], "id": true}': 2,
        '{"method": "SUBSCRIBE", "params": ["btcusdt@trade"]}': 2,
        '{"method": "JUMP", "id": 4}': 2,
        '{"method": "SET_PROPERTY", "params": ["combined", "yes"], "id": 5}': 1,
        '{"method": "GET_PROPERTY", "params": ["colour"], "id": 6}': 0,
        "{nope": 3,
    }
    for text, code in errors.items():
        assert handle_control(subs, text)["error"]["code"] == code, text
    assert subs.streams == {"btcusdt@kline_1m"}  # nothing was added by the refused requests
    assert handle_control(subs, '{"method": "SET_PROPERTY", "params": ["combined", false], "id": 7}')[
        "result"] is None and not subs.combined
    handle_control(subs, '{"method": "UNSUBSCRIBE", "params": ["btcusdt@kline_1m"], "id": 8}')
    assert subs.streams == set()


async def test_combined_and_raw_formats(venue_at: VenueFactory) -> None:
    async with venue_at() as venue, aiohttp.ClientSession() as session:
        async with session.ws_connect(venue.ws_url + "/stream?streams=btcusdt@bookTicker") as combined:
            message = (await frames(combined, 1))[0]
            assert message["stream"] == "btcusdt@bookTicker" and message["data"]["s"] == "BTCUSDT"
        async with session.ws_connect(venue.ws_url + "/ws/ethusdt@aggTrade") as raw:
            payload = (await frames(raw, 1))[0]
            assert payload["e"] == "aggTrade" and payload["s"] == "ETHUSDT"
        async with session.ws_connect(venue.ws_url + "/stream") as live:
            await live.send_json({"method": "SUBSCRIBE", "params": ["!miniTicker@arr", "btcusdt@depth5"],
                                  "id": 9})
            received = await frames(live, 4)
            assert {"result": None, "id": 9} in received
            streams = {m.get("stream") for m in received}
            assert "!miniTicker@arr" in streams or "btcusdt@depth5" in streams
            arrays = [m["data"] for m in received if m.get("stream") == "!miniTicker@arr"]
            assert all({t["s"] for t in a} <= {"BTCUSDT", "ETHUSDT"} for a in arrays)


async def test_every_closed_kline_once_and_in_order(venue_at: VenueFactory) -> None:
    async with venue_at(speed=1200.0) as venue, aiohttp.ClientSession() as session, \
            session.ws_connect(venue.ws_url + "/stream?streams=btcusdt@kline_1m") as ws:
        closed: list[int] = []
        async with asyncio.timeout(2.0):
            while len(closed) < 6:
                message = json.loads((await ws.receive()).data)
                if message["data"]["k"]["x"]:
                    closed.append(message["data"]["k"]["t"])
        assert closed == list(range(closed[0], closed[0] + 6 * 60_000, 60_000))
        assert all(t + 60_000 <= venue.state.clock.now_ms() for t in closed)


async def test_a_client_that_sends_too_fast_is_disconnected(venue_at: VenueFactory) -> None:
    async with venue_at() as venue, aiohttp.ClientSession() as session, \
            session.ws_connect(venue.ws_url + "/stream") as ws:
        for i in range(7):
            await ws.send_json({"method": "LIST_SUBSCRIPTIONS", "id": i})
        async with asyncio.timeout(2.0):
            while (await ws.receive()).type is aiohttp.WSMsgType.TEXT:
                pass
        assert venue.state.stats.closed_by_server["too many messages"] == 1


async def test_pings_need_pongs(venue_at: VenueFactory) -> None:
    async with venue_at(ping_interval_sec=0.25, pong_timeout_sec=0.4) as venue, \
            aiohttp.ClientSession() as session:
        async with session.ws_connect(venue.ws_url + "/stream", autoping=True) as polite:
            with pytest.raises(TimeoutError):  # reading answers the pings; nothing else arrives
                async with asyncio.timeout(0.8):
                    message = await polite.receive()
                    raise AssertionError(f"unexpected {message.type}: {message.data!r}")
            assert not polite.closed
        async with session.ws_connect(venue.ws_url + "/stream", autoping=False) as mute:
            async with asyncio.timeout(2.0):
                while (await mute.receive()).type in (aiohttp.WSMsgType.PING, aiohttp.WSMsgType.TEXT):
                    pass
            assert mute.closed
        assert venue.state.stats.pongs_received >= 2  # pongs count in the 5 a second: 4 pings a second
        assert venue.state.stats.closed_by_server["pong timeout"] == 1


@pytest.mark.parametrize("max_age_ms", [120_000])
async def test_connections_are_cut_after_their_age_on_the_venue_clock(venue_at: VenueFactory,
                                                                      max_age_ms: int) -> None:
    async with venue_at(speed=600.0, max_connection_age_ms=max_age_ms) as venue, \
            aiohttp.ClientSession() as session:
        opened = venue.state.clock.now_ms()  # read before connecting: the age counts from the connection
        async with session.ws_connect(venue.ws_url + "/stream") as ws, asyncio.timeout(5.0):
            while (await ws.receive()).type is aiohttp.WSMsgType.TEXT:
                pass
        assert venue.state.clock.now_ms() - opened >= max_age_ms
        assert venue.state.stats.closed_by_server["24 h connection limit"] == 1
