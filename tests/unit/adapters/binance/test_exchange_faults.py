"""BinanceExchange under the venue's faults: lost answers, 5xx, 429/418, a clock off by 2 s, and a burst
at the venue's configured rate limits."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from adapters.binance.exchange import BinanceExchange
from adapters.clocks import SystemClock
from adapters.simulated.venue.data import VenueData, load_venue_data
from adapters.simulated.venue.trading import TradingVenue, serve_trading_venue
from adapters.simulated.venue.trading_desk import DEFAULT_API_KEY, DEFAULT_API_SECRET, TradingConfig
from domain.orders import OrderRequest, OrderStatus, OrderType
from domain.values import Side
from ports.errors import ExchangeUnavailable, RateLimited

START_MS = 1_775_001_600_000  # 2026-04-01 00:00 UTC, in the committed sample (data/sample)
SYMBOL = "XRPUSDT"


@functools.cache
def venue_data(sample_klines: Path) -> VenueData:
    return load_venue_data(
        sample_klines, symbols=(SYMBOL,), start_ms=START_MS, minutes=60, warmup_ms=3_600_000
    )


class SkewedClock(SystemClock):
    """The bot's machine clock, off by `skew_ms` from true time."""

    skew_ms = 0

    def now_ms(self) -> int:
        return super().now_ms() + self.skew_ms


def binance(venue: TradingVenue, **kw: object) -> BinanceExchange:
    kw.setdefault("timeout", 2.0)
    return BinanceExchange(
        SecretStr(DEFAULT_API_KEY),
        SecretStr(DEFAULT_API_SECRET),
        rest_url=venue.rest_url,
        ws_api_url=venue.ws_api_url,
        user_data=False,
        **kw,
    )  # type: ignore[arg-type]


@pytest.fixture
async def venue(sample_klines: Path) -> AsyncIterator[TradingVenue]:
    async with serve_trading_venue(venue_data(sample_klines)) as running:
        yield running


def buy(client_id: str) -> OrderRequest:
    return OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, client_id, quote_quantity=Decimal(20))


async def test_an_order_whose_answer_is_lost_is_not_placed_twice(venue: TradingVenue) -> None:
    async with binance(venue, timeout=0.3) as ex:
        venue.desk.faults.delay_next_orders(1.0)  # executed, then answered after the client gave up
        report = await ex.place_order(buy("f-timeout"))
        assert report.status is OrderStatus.FILLED and report.client_order_id == "f-timeout"
        assert report.fills  # recovered through myTrades
    assert len(venue.desk.engine.all_orders(SYMBOL)) == 1


async def test_a_5xx_before_execution_is_retried_once_it_is_known_absent(venue: TradingVenue) -> None:
    async with binance(venue) as ex:
        venue.desk.faults.fail_next(1)
        report = await ex.place_order(buy("f-5xx"))
    assert report.status is OrderStatus.FILLED
    assert venue.desk.answers[503] == 1
    assert len(venue.desk.engine.all_orders(SYMBOL)) == 1


async def test_a_query_on_a_5xx_is_unavailable_and_retryable(venue: TradingVenue) -> None:
    async with binance(venue) as ex:
        venue.desk.faults.fail_next(1)
        with pytest.raises(ExchangeUnavailable) as caught:
            await ex.balances()
    assert caught.value.retryable


async def test_429_raises_rate_limited_and_holds_the_next_request(venue: TradingVenue) -> None:
    async with binance(venue) as ex:
        venue.desk.faults.throttle_next(1, retry_after=1)
        with pytest.raises(RateLimited) as caught:
            await ex.balances()
        assert caught.value.retry_after == 1 and not caught.value.banned
        started = time.monotonic()
        await ex.balances()
        assert time.monotonic() - started >= 0.9


async def test_418_stops_every_request_without_reaching_binance(venue: TradingVenue) -> None:
    async with binance(venue) as ex:
        venue.desk.faults.ban_next(60)
        with pytest.raises(RateLimited) as caught:
            await ex.balances()
        assert caught.value.banned and not caught.value.retryable
        reached = sum(venue.desk.answers.values())
        with pytest.raises(RateLimited) as again:
            await ex.place_order(buy("f-banned"))
        assert again.value.banned
        assert sum(venue.desk.answers.values()) == reached
    assert venue.desk.engine.all_orders(SYMBOL) == []


async def test_a_client_clock_2s_ahead_is_resynced(venue: TradingVenue) -> None:
    clock = SkewedClock()
    async with binance(venue, clock=clock) as ex:
        before = ex.rest.offset_ms
        clock.skew_ms = 2_000  # the machine's clock jumps: every timestamp is 2 s in the future
        report = await ex.place_order(buy("f-skew"))
        assert report.status is OrderStatus.FILLED
        assert venue.desk.answers[400] == 1  # one -1021, then the resync
        assert abs(ex.rest.offset_ms - (before - 2_000)) < 500


async def test_a_venue_clock_2s_ahead_is_resynced(venue: TradingVenue) -> None:
    async with binance(venue, recv_window=1000) as ex:
        venue.desk.state.clock.advance(2_000)  # the server now runs 2 s ahead of the client
        report = await ex.place_order(buy("f-skew-venue"))
    assert report.status is OrderStatus.FILLED
    assert venue.desk.answers[400] == 1


BURST_LIMITS = (
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "SECOND", "intervalNum": 1, "limit": 40},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 1, "limit": 5},
    {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200_000},
)


async def test_a_burst_at_the_configured_limits_gets_no_429(sample_klines: Path) -> None:
    config = TradingConfig(rate_limits=BURST_LIMITS)
    async with serve_trading_venue(venue_data(sample_klines), config=config) as venue:
        async with binance(venue) as ex:
            orders = [ex.place_order(buy(f"f-burst-{i}")) for i in range(6)]  # 6 > 5 orders a second
            queries = [ex.open_orders(SYMBOL) for _ in range(8)]  # weight 6 each: 48 > 40 a second
            results = await asyncio.gather(*orders, *queries)
        assert all(not isinstance(r, BaseException) for r in results)
        assert venue.desk.answers[429] == 0 and venue.desk.answers[418] == 0
        assert venue.desk.answers[200] >= 14
        peaks = venue.desk.limits.peak
        assert peaks["X-MBX-USED-WEIGHT-1S"] > 40 // 2, "the burst really pressed on the weight limit"
        assert peaks["X-MBX-ORDER-COUNT-1S"] >= 3
