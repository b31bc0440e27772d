"""The WebSocket API's request weight is on the same per-IP budget as REST (binance-spot-api.md 3): the
user-data stream's connection (2) and subscribe (2) are counted by the bot's limiter before they leave and
by the venue, at start and at every reconnection; the answer's `rateLimits` correct the limiter as REST's
headers do."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr
from tests.support.clocks import ManualClock

from adapters.binance.exchange import BinanceExchange
from adapters.binance.parse_orders import RateLimit
from adapters.binance.rate_limiter import REQUEST_WEIGHT, RateLimiter
from adapters.binance.user_data import W_CONNECTION, W_SUBSCRIBE, UserStreamRestarted
from adapters.simulated.venue.data import load_venue_data
from adapters.simulated.venue.trading import TradingVenue, serve_trading_venue
from adapters.simulated.venue.trading_desk import DEFAULT_API_KEY, DEFAULT_API_SECRET, TradingConfig

MINUTE = 60_000


def test_rate_limits_of_a_websocket_answer_correct_the_count() -> None:
    limiter = RateLimiter(ManualClock(), limits=[RateLimit(REQUEST_WEIGHT, MINUTE, 6000)])
    limiter.observe_rate_limits([{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
                                  "limit": 6000, "count": 57}])
    assert limiter.used(REQUEST_WEIGHT, MINUTE) == 57
    limiter.observe_rate_limits([{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
                                  "limit": 6000, "count": 12}])  # never below what was counted
    limiter.observe_rate_limits(None)
    assert limiter.used(REQUEST_WEIGHT, MINUTE) == 57


@pytest.fixture
async def venue(sample_klines: Path) -> AsyncIterator[TradingVenue]:
    data = load_venue_data(sample_klines, symbols=("XRPUSDT",), minutes=30)
    async with serve_trading_venue(data, config=TradingConfig(deposits={"USDT": Decimal(1000)})) as running:
        yield running


def binance(venue: TradingVenue, *, user_data: bool) -> BinanceExchange:
    return BinanceExchange(SecretStr(DEFAULT_API_KEY), SecretStr(DEFAULT_API_SECRET), rest_url=venue.rest_url,
                           ws_api_url=venue.ws_api_url, timeout=2.0, user_data=user_data)


def venue_weight(venue: TradingVenue) -> int:
    window = next(w for w in venue.desk.limits.windows
                  if w.kind == REQUEST_WEIGHT and w.interval_ms == MINUTE)
    return window.used.get("127.0.0.1", 0)


async def test_the_user_data_stream_is_counted_by_the_bot_and_the_venue_alike(venue: TradingVenue) -> None:
    left_ms = MINUTE - venue.desk.now_ms() % MINUTE
    if left_ms < 10_000:  # all of it inside one 1-minute window (the venue's clock runs at x1)
        await asyncio.sleep(left_ms / 1000 + 0.1)
    async with binance(venue, user_data=False) as rest_only:
        rest_weight = rest_only.limiter.used(REQUEST_WEIGHT, MINUTE)
    stream = W_CONNECTION + W_SUBSCRIBE
    async with binance(venue, user_data=True) as exchange:
        assert exchange.limiter.used(REQUEST_WEIGHT, MINUTE) == venue_weight(venue)  # one budget, both
        assert venue_weight(venue) == 2 * rest_weight + stream

        events = exchange.user_events()
        assert venue.desk.faults.drop_user_streams() == 1
        async with asyncio.timeout(5):
            async for event in events:
                if isinstance(event, UserStreamRestarted):
                    break
        assert venue_weight(venue) == 2 * rest_weight + 2 * stream  # a reconnection costs it again
        assert exchange.limiter.used(REQUEST_WEIGHT, MINUTE) == venue_weight(venue)
