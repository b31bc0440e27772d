"""The venue's fault table: every fault real Binance has, one row each, with what BinanceExchange does.

Each row injects one fault into a running venue (127.0.0.1, recorded 2026 XRPUSDT bars) and checks the
outcome through BinanceExchange, the adapter live trading uses: an order whose answer is lost is found by
its client id and never placed twice; a refusal is typed (retryable or not); a halted symbol keeps its
protection resting; an expired leg is reported; lost user-data events are reconciled by a REST query; one
REQUEST_WEIGHT budget per IP is counted by the venue and by the bot's limiter alike.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from adapters.binance.exchange import BinanceExchange
from adapters.binance.market_rest import MarketRest
from adapters.binance.parse_user_events import ExecutionUpdate
from adapters.binance.rate_limiter import REQUEST_WEIGHT
from adapters.binance.user_data import UserStreamRestarted
from adapters.simulated.venue.data import VenueData, load_venue_data
from adapters.simulated.venue.trading import TradingVenue, serve_trading_venue
from adapters.simulated.venue.trading_desk import DEFAULT_API_KEY, DEFAULT_API_SECRET, TradingConfig
from domain.orders import ListStatus, OcoRequest, OrderReport, OrderRequest, OrderStatus, OrderType
from domain.values import Side
from ports.errors import ExchangeUnavailable, OrderRejected, RateLimited

DATA_FILE = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"
START_MS = 1_774_400_040_000
SYMBOL = "XRPUSDT"
TIMEOUT_SEC = 1.0


@functools.cache
def venue_data(shared_data: Path) -> VenueData:
    return load_venue_data(shared_data / DATA_FILE, symbols=(SYMBOL,), start_ms=START_MS, minutes=60,
                           warmup_ms=3_600_000)


def buy(client_id: str) -> OrderRequest:
    return OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, client_id, quote_quantity=Decimal(20))


def orders_with(venue: TradingVenue, client_id: str) -> list[OrderReport]:
    return [o for o in venue.desk.engine.all_orders(SYMBOL) if o.client_order_id == client_id]


async def protected_position(ex: BinanceExchange, name: str) -> tuple[OrderReport, int]:
    entry = await ex.place_order(buy(name))
    price = entry.average_price
    oco = await ex.place_oco(OcoRequest(SYMBOL, ex.protective_quantity(entry), price * Decimal("1.02"),
                                        price * Decimal("0.98"), None, f"{name}-oco"))
    return entry, oco.order_list_id


async def first_of(events: AsyncIterator[object], kind: type, within_s: float) -> object | None:
    try:
        async with asyncio.timeout(within_s):
            async for event in events:
                if isinstance(event, kind):
                    return event
    except TimeoutError:
        return None
    return None


# -- the rows: inject the fault, act through BinanceExchange, check the outcome ---------------------------
async def market_rest_503(venue: TradingVenue, ex: BinanceExchange) -> None:
    venue.desk.state.faults.fail_market_next(1)
    with pytest.raises(ExchangeUnavailable) as caught:
        await ex.refresh_rules()  # GET /api/v3/exchangeInfo
    assert caught.value.retryable
    assert SYMBOL in await ex.refresh_rules()  # the next request is served


async def minutes_of_503(venue: TradingVenue, ex: BinanceExchange) -> None:
    venue.desk.outage(minutes=3)
    for call in (ex.balances, ex.refresh_rules, lambda: ex.place_order(buy("f-outage"))):
        with pytest.raises(ExchangeUnavailable):
            await call()
    assert orders_with(venue, "f-outage") == []  # nothing executed during the outage
    venue.desk.state.clock.advance(3 * 60_000)
    assert (await ex.place_order(buy("f-outage"))).status is OrderStatus.FILLED
    assert len(orders_with(venue, "f-outage")) == 1


async def error_5xx_before_execution(venue: TradingVenue, ex: BinanceExchange) -> None:
    venue.desk.faults.fail_next(1)
    assert (await ex.place_order(buy("f-5xx"))).status is OrderStatus.FILLED
    assert len(orders_with(venue, "f-5xx")) == 1 and venue.desk.answers[503] == 1


async def error_5xx_after_execution(venue: TradingVenue, ex: BinanceExchange) -> None:
    usdt_before = (await ex.balances())["USDT"].free
    venue.desk.faults.fail_after_execution(1)  # executed; the client sees 503: status unknown
    report = await ex.place_order(buy("f-5xx-done"))
    assert report.status is OrderStatus.FILLED and report.client_order_id == "f-5xx-done"
    assert len(orders_with(venue, "f-5xx-done")) == 1  # found by client id, never bought twice
    assert venue.desk.answers[503] == 1
    spent = usdt_before - (await ex.balances())["USDT"].free
    assert Decimal(19) < spent <= Decimal(20)


async def answer_after_timeout(venue: TradingVenue, ex: BinanceExchange) -> None:
    venue.desk.faults.delay_next_orders(TIMEOUT_SEC * 2)
    started = time.monotonic()
    assert (await ex.place_order(buy("f-late"))).status is OrderStatus.FILLED
    assert time.monotonic() - started >= TIMEOUT_SEC  # the first answer was lost to the timeout
    assert len(orders_with(venue, "f-late")) == 1


async def hung_connection(venue: TradingVenue, ex: BinanceExchange) -> None:
    venue.desk.faults.hang_next(TIMEOUT_SEC * 2)  # no answer, nothing executed: looked up, then resent
    started = time.monotonic()
    assert (await ex.place_order(buy("f-hung"))).status is OrderStatus.FILLED
    assert time.monotonic() - started >= TIMEOUT_SEC and venue.desk.faults.hung == []
    assert len(orders_with(venue, "f-hung")) == 1


async def throttled_429(venue: TradingVenue, ex: BinanceExchange) -> None:
    venue.desk.faults.throttle_next(1, retry_after=1)
    with pytest.raises(RateLimited) as caught:
        await ex.balances()
    assert caught.value.retryable and not caught.value.banned and caught.value.retry_after == 1


async def banned_418_covers_market_data(venue: TradingVenue, ex: BinanceExchange) -> None:
    venue.desk.faults.ban_next(60)
    with pytest.raises(RateLimited):
        await ex.balances()
    reached = sum(venue.desk.answers.values())
    with pytest.raises(RateLimited) as caught:
        await ex.refresh_rules()  # market data: the ban is per IP, the limiter holds it back too
    assert caught.value.banned and sum(venue.desk.answers.values()) == reached
    async with aiohttp.ClientSession() as session, session.get(f"{venue.rest_url}/api/v3/klines",
                                                               params={"symbol": SYMBOL,
                                                                       "interval": "1m"}) as reply:
        assert reply.status == 418  # and the venue refuses market data to a banned IP


async def user_events_lost_on_a_live_socket(venue: TradingVenue, ex: BinanceExchange) -> None:
    events = ex.user_events()
    venue.desk.faults.lose_user_events(50)
    report = await ex.place_order(buy("f-lost-events"))
    assert await first_of(events, ExecutionUpdate, within_s=1.0) is None  # lost, the socket stays up
    assert venue.desk.faults.lost_user_events < 50
    assert (await ex.get_order(SYMBOL, report.order_id)).status is OrderStatus.FILLED  # REST reconciles


async def user_stream_dropped(venue: TradingVenue, ex: BinanceExchange) -> None:
    events = ex.user_events()
    assert venue.desk.faults.drop_user_streams() == 1
    assert isinstance(await first_of(events, UserStreamRestarted, within_s=5.0), UserStreamRestarted)


async def symbol_halted_mid_position(venue: TradingVenue, ex: BinanceExchange) -> None:
    entry, list_id = await protected_position(ex, "f-halt")
    venue.desk.halt(SYMBOL)
    assert (await ex.refresh_rules())[SYMBOL].status == "HALT"
    sell = OrderRequest(SYMBOL, Side.SELL, OrderType.MARKET, "f-halt-sell", quantity=Decimal(1))
    with pytest.raises(OrderRejected, match="Market is closed") as caught:
        await ex.place_order(sell)
    assert not caught.value.retryable
    venue.desk.print_trade(SYMBOL, entry.average_price * Decimal("0.9"))  # nothing trades while halted
    assert len(await ex.open_orders(SYMBOL)) == 2  # the protection stays resting
    venue.desk.resume(SYMBOL)
    venue.desk.print_trade(SYMBOL, entry.average_price * Decimal("0.9"))
    assert (await ex.get_order_list(SYMBOL, list_id)).status is ListStatus.ALL_DONE


async def resting_legs_expire(venue: TradingVenue, ex: BinanceExchange) -> None:
    events = ex.user_events()
    _, list_id = await protected_position(ex, "f-expire")
    assert venue.desk.expire_resting(SYMBOL) == 2
    report = await ex.get_order_list(SYMBOL, list_id)
    assert report.status is ListStatus.ALL_DONE
    assert {leg.status for leg in report.orders} == {OrderStatus.EXPIRED}
    assert await ex.open_orders(SYMBOL) == []
    async with asyncio.timeout(3):
        async for event in events:
            if isinstance(event, ExecutionUpdate) and event.execution_type == "EXPIRED":
                break
    assert (await ex.balances())["XRP"].locked == 0  # the coins are free to sell: the bot must act


async def one_weight_budget_per_ip(venue: TradingVenue, ex: BinanceExchange) -> None:
    window = next(w for w in venue.desk.limits.windows if w.kind == REQUEST_WEIGHT)
    async with aiohttp.ClientSession() as session:
        market = MarketRest(session, venue.rest_url, limiter=ex.limiter)
        signed_so_far = window.used.get("127.0.0.1", 0)
        for _ in range(5):
            await market.klines(SYMBOL, limit=10)  # weight 2 each, counted with the signed calls
        assert market.used_weight_1m == signed_so_far + 10
        assert ex.limiter.used(REQUEST_WEIGHT, 60_000) == signed_so_far + 10  # before any signed answer
        await ex.balances()  # weight 20
    assert window.used["127.0.0.1"] == signed_so_far + 30
    assert ex.limiter.used(REQUEST_WEIGHT, 60_000) == window.used["127.0.0.1"]  # the bot counts both
    assert venue.desk.answers[429] == 0


@dataclass(frozen=True)
class Row:
    check: Callable[[TradingVenue, BinanceExchange], Awaitable[None]]
    user_data: bool = True


FAULTS = {
    "market data REST 503": Row(market_rest_503),
    "minutes of 503 on every route": Row(minutes_of_503),
    "5xx before execution": Row(error_5xx_before_execution),
    "5xx after the order executed": Row(error_5xx_after_execution),
    "answer after the client's timeout": Row(answer_after_timeout),
    "hung connection": Row(hung_connection),
    "429 throttled": Row(throttled_429),
    "418 ban covers market data": Row(banned_418_covers_market_data),
    "user-data events lost on a live socket": Row(user_events_lost_on_a_live_socket),
    "user-data socket dropped": Row(user_stream_dropped),
    "symbol halted mid-position": Row(symbol_halted_mid_position),
    "resting OCO legs expired by the exchange": Row(resting_legs_expire),
    "one request-weight budget per IP": Row(one_weight_budget_per_ip, user_data=False),
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_binance_exchange_under_a_venue_fault(shared_data: Path, fault: str) -> None:
    row = FAULTS[fault]
    config = TradingConfig(deposits={"USDT": Decimal(1000)})
    async with serve_trading_venue(venue_data(shared_data), config=config) as venue:
        exchange = BinanceExchange(SecretStr(DEFAULT_API_KEY), SecretStr(DEFAULT_API_SECRET),
                                   rest_url=venue.rest_url, ws_api_url=venue.ws_api_url, timeout=TIMEOUT_SEC,
                                   user_data=row.user_data)
        async with exchange:
            await row.check(venue, exchange)
