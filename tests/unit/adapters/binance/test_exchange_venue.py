"""BinanceExchange (binance-connector + WebSocket API) against the local venue on 127.0.0.1, which
serves recorded 2026 klines and matches orders with the simulator's engine."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from adapters.binance.exchange import BinanceExchange
from adapters.binance.parse_user_events import AccountUpdate, ExecutionUpdate, ListUpdate
from adapters.binance.user_data import UserStreamRestarted
from adapters.simulated.venue.data import VenueData, load_venue_data
from adapters.simulated.venue.signing import ApiKey
from adapters.simulated.venue.trading import TradingVenue, serve_trading_venue
from adapters.simulated.venue.trading_desk import DEFAULT_API_KEY, DEFAULT_API_SECRET, TradingConfig
from domain.orders import ListStatus, OcoRequest, OrderRequest, OrderStatus, OrderType, TimeInForce
from domain.values import Side
from ports.errors import AuthenticationFailed, InsufficientBalance, OrderNotFound, OrderRejected

START_MS = 1_775_001_600_000  # 2026-04-01 00:00 UTC, in the committed sample (data/sample)
SYMBOL = "XRPUSDT"


@functools.cache
def venue_data(sample_klines: Path) -> VenueData:
    return load_venue_data(
        sample_klines,
        symbols=("BTCUSDT", SYMBOL),
        start_ms=START_MS,
        minutes=120,
        warmup_ms=3_600_000,
    )


def binance(
    venue: TradingVenue, key: str = DEFAULT_API_KEY, secret: str = DEFAULT_API_SECRET, **kw: object
) -> BinanceExchange:
    return BinanceExchange(
        SecretStr(key),
        SecretStr(secret),
        rest_url=venue.rest_url,
        ws_api_url=venue.ws_api_url,
        timeout=2.0,
        **kw,
    )  # type: ignore[arg-type]


@pytest.fixture
async def venue(sample_klines: Path) -> AsyncIterator[TradingVenue]:
    config = TradingConfig(deposits={"USDT": Decimal(1000)})
    async with serve_trading_venue(venue_data(sample_klines), config=config) as running:
        yield running


@pytest.fixture
async def exchange(venue: TradingVenue) -> AsyncIterator[BinanceExchange]:
    async with binance(venue) as ex:
        yield ex


def market_buy(client_id: str, quote: str = "20") -> OrderRequest:
    return OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, client_id, quote_quantity=Decimal(quote))


async def test_rules_come_from_exchange_info(exchange: BinanceExchange, venue: TradingVenue) -> None:
    rules = (await exchange.symbol_rules())[SYMBOL]
    assert rules.symbol == SYMBOL and rules.base_asset == "XRP"
    assert rules.tick_size == venue.desk.engine.rules[SYMBOL].tick_size
    assert rules.min_notional == venue.desk.engine.rules[SYMBOL].min_notional


async def test_market_buy_fills_and_moves_the_balances(exchange: BinanceExchange) -> None:
    report = await exchange.place_order(market_buy("t-buy-1"))
    assert report.status is OrderStatus.FILLED
    assert report.fills and sum(f.quantity for f in report.fills) == report.executed_quantity
    assert 0 < report.cumulative_quote <= Decimal(20)
    balances = await exchange.balances()
    assert balances["USDT"].free == Decimal(1000) - report.cumulative_quote
    assert balances["XRP"].free == report.executed_quantity - report.commission_in("XRP")


async def test_oco_is_sized_from_what_was_received_and_can_be_cancelled(exchange: BinanceExchange) -> None:
    entry = await exchange.place_order(market_buy("t-buy-2"))
    rules = (await exchange.symbol_rules())[SYMBOL]
    quantity = exchange.protective_quantity(entry)
    assert quantity <= entry.executed_quantity - entry.commission_in("XRP")
    assert quantity % rules.step_size == 0
    price = entry.average_price
    listed = await exchange.place_oco(
        OcoRequest(SYMBOL, quantity, price * Decimal("1.02"), price * Decimal("0.98"), None, "t-oco-2")
    )
    assert listed.status is ListStatus.EXECUTING
    assert {o.type for o in listed.orders} == {OrderType.LIMIT_MAKER, OrderType.STOP_LOSS}
    assert (await exchange.balances())["XRP"].locked == quantity
    assert len(await exchange.open_orders(SYMBOL)) == 2
    queried = await exchange.get_order_list(SYMBOL, listed.order_list_id)
    assert [o.order_id for o in queried.orders] == [o.order_id for o in listed.orders]
    done = await exchange.cancel_order_list(SYMBOL, listed.order_list_id)
    assert done.status is ListStatus.ALL_DONE
    assert {o.status for o in done.orders} == {OrderStatus.CANCELED}
    assert (await exchange.balances())["XRP"].locked == 0


async def test_oco_leg_fill_is_seen(exchange: BinanceExchange, venue: TradingVenue) -> None:
    entry = await exchange.place_order(market_buy("t-buy-3"))
    price = entry.average_price
    listed = await exchange.place_oco(
        OcoRequest(
            SYMBOL,
            exchange.protective_quantity(entry),
            price * Decimal("1.02"),
            price * Decimal("0.98"),
            price * Decimal("0.975"),
            "t-oco-3",
        )
    )
    venue.desk.print_trade(SYMBOL, price * Decimal("0.978"))  # through the stop, not the limit
    done = await exchange.get_order_list(SYMBOL, listed.order_list_id)
    assert done.status is ListStatus.ALL_DONE
    assert done.filled_leg is not None and done.filled_leg.type is OrderType.STOP_LOSS_LIMIT
    assert done.filled_leg.fills, "a filled leg carries its trades"


async def test_cancel_and_query_a_resting_order(exchange: BinanceExchange) -> None:
    rules = (await exchange.symbol_rules())[SYMBOL]
    report = await exchange.place_order(market_buy("t-buy-4"))
    price = rules.round_price(report.average_price * Decimal("0.9"), direction="down")
    resting = await exchange.place_order(
        OrderRequest(
            SYMBOL,
            Side.BUY,
            OrderType.LIMIT,
            "t-lim-4",
            rules.round_qty(Decimal(10) / price),
            price=price,
            time_in_force=TimeInForce.GTC,
        )
    )
    assert resting.status is OrderStatus.NEW
    assert (await exchange.get_order(SYMBOL, resting.order_id)).client_order_id == "t-lim-4"
    canceled = await exchange.cancel_order(SYMBOL, resting.order_id)
    assert canceled.status is OrderStatus.CANCELED and canceled.client_order_id == "t-lim-4"
    with pytest.raises(OrderNotFound):
        await exchange.cancel_order(SYMBOL, resting.order_id)
    with pytest.raises(OrderNotFound):
        await exchange.get_order(SYMBOL, 987_654_321)


async def test_refusals_are_port_errors(exchange: BinanceExchange) -> None:
    with pytest.raises(InsufficientBalance):
        await exchange.place_order(market_buy("t-big", "5000"))
    rules = (await exchange.symbol_rules())[SYMBOL]
    with pytest.raises(OrderRejected) as caught:
        await exchange.place_order(
            OrderRequest(
                SYMBOL,
                Side.BUY,
                OrderType.LIMIT,
                "t-tick",
                Decimal(100),
                price=Decimal("0.5") + rules.tick_size / 2,
                time_in_force=TimeInForce.GTC,
            )
        )
    assert caught.value.filter_type == "PRICE_FILTER" and caught.value.code == -1013
    with pytest.raises(OrderRejected) as unknown:
        await exchange.place_order(
            OrderRequest("NOPEUSDT", Side.BUY, OrderType.MARKET, "t-sym", quote_quantity=Decimal(10))
        )
    assert unknown.value.code == -1121


async def test_partial_fill_of_a_market_order_on_a_thin_book(venue: TradingVenue) -> None:
    venue.desk.engine.accounts.deposit("USDT", Decimal(10_000_000))
    async with binance(venue) as ex:
        report = await ex.place_order(market_buy("t-huge", "5000000"))
    assert report.status is OrderStatus.EXPIRED
    assert report.executed_quantity > 0 and report.cumulative_quote < Decimal(5_000_000)
    assert sum(f.quantity for f in report.fills) == report.executed_quantity


async def test_decimals_never_leave_as_exponents(exchange: BinanceExchange) -> None:
    report = await exchange.place_order(market_buy("t-exp", "2E+1"))  # Decimal('2E+1') is 20
    assert report.status is OrderStatus.FILLED


async def test_same_client_id_is_not_placed_twice(exchange: BinanceExchange, venue: TradingVenue) -> None:
    request = market_buy("t-twice")
    first = await exchange.place_order(request)
    again = await exchange.place_order(request)
    assert again.order_id == first.order_id
    assert len([t for t in venue.desk.engine.trades if t.order_id == first.order_id]) == len(first.fills)
    assert len(venue.desk.engine.all_orders(SYMBOL)) == 1
    with pytest.raises(OrderRejected):
        await exchange.place_order(market_buy("t-twice", "25"))


async def test_bad_keys_are_authentication_failures_without_leaking_secrets(venue: TradingVenue) -> None:
    with pytest.raises(AuthenticationFailed) as unknown:
        async with binance(venue, key="not-a-key", secret="s3cr3t-value") as ex:
            await ex.balances()
    assert unknown.value.code == -2015 and "s3cr3t-value" not in str(unknown.value)
    with pytest.raises(AuthenticationFailed) as wrong:
        async with binance(venue, secret="wrong-secret-xyz") as ex:
            await ex.balances()
    assert wrong.value.code == -1022 and "wrong-secret-xyz" not in str(wrong.value)


async def test_api_restrictions_are_read_and_absent_on_a_testnet_like_venue(sample_klines: Path) -> None:
    keys = {"k1": ApiKey("s1", enable_withdrawals=True, ip_restrict=False)}
    config = TradingConfig(keys=keys)
    async with serve_trading_venue(venue_data(sample_klines), config=config) as venue, binance(
        venue, "k1", "s1", user_data=False
    ) as ex:
        found = await ex.api_restrictions()
    assert found is not None and found.enable_withdrawals and not found.ip_restrict
    config = TradingConfig(sapi=False)
    async with serve_trading_venue(venue_data(sample_klines), config=config) as venue, binance(
        venue, user_data=False
    ) as ex:
        assert await ex.api_restrictions() is None


async def next_of(events: AsyncIterator[object], kind: type, within_s: float = 3.0) -> object:
    async with asyncio.timeout(within_s):
        async for event in events:
            if isinstance(event, kind):
                return event
    raise AssertionError("stream ended")


async def test_user_data_events_follow_the_orders(exchange: BinanceExchange) -> None:
    events = exchange.user_events()
    report = await exchange.place_order(market_buy("t-ud"))
    trade = await next_of(events, ExecutionUpdate)
    while isinstance(trade, ExecutionUpdate) and trade.execution_type != "TRADE":
        trade = await next_of(events, ExecutionUpdate)
    assert isinstance(trade, ExecutionUpdate) and trade.report.order_id == report.order_id
    account = await next_of(events, AccountUpdate)
    assert isinstance(account, AccountUpdate) and {b.asset for b in account.balances} >= {"USDT", "XRP"}
    price = report.average_price
    await exchange.place_oco(
        OcoRequest(
            SYMBOL,
            exchange.protective_quantity(report),
            price * Decimal("1.02"),
            price * Decimal("0.98"),
            None,
            "t-ud-oco",
        )
    )
    listed = await next_of(events, ListUpdate)
    assert isinstance(listed, ListUpdate) and listed.status is ListStatus.EXECUTING


async def test_user_data_stream_reconnects_after_a_dropped_socket(
    exchange: BinanceExchange, venue: TradingVenue
) -> None:
    events = exchange.user_events()
    assert venue.desk.faults.drop_user_streams() == 1
    restarted = await next_of(events, UserStreamRestarted, within_s=5)
    assert isinstance(restarted, UserStreamRestarted)
    report = await exchange.place_order(market_buy("t-after-drop"))
    update = await next_of(events, ExecutionUpdate)
    assert isinstance(update, ExecutionUpdate) and update.report.order_id == report.order_id
