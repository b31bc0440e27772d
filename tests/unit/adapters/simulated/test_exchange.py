"""SimulatedExchange: the async Exchange port, its latency, idempotency, events, stats, determinism."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.exchange import SimulatedExchange
from adapters.simulated.settlement import OrderUpdate
from domain.market_events import BookUpdated, CandleUpdated, StreamStale, TickersUpdated, TradeHappened
from domain.orders import OcoRequest, OrderRequest, OrderStatus, OrderType
from domain.values import Candle, Side, Ticker, Trade
from ports.errors import OrderNotFound, OrderRejected

D = Decimal


def market_buy(quote: str, cid: str) -> OrderRequest:
    return OrderRequest("TESTUSDT", Side.BUY, OrderType.MARKET, cid, quote_quantity=D(quote))


def maker_buy(price: str, cid: str) -> OrderRequest:
    return OrderRequest("TESTUSDT", Side.BUY, OrderType.LIMIT_MAKER, cid, D(1), price=D(price))


@pytest.fixture
def exchange(test_rules, clock, make_deep_book) -> SimulatedExchange:
    sim = SimulatedExchange(test_rules, {"USDT": D(1000)}, clock, SimulatorCosts(latency_ms=150))
    sim.observe(BookUpdated(make_deep_book()))
    return sim


async def test_each_order_action_waits_the_latency_on_the_clock(exchange, clock) -> None:
    start = clock.now
    async with exchange:
        report = await exchange.place_order(market_buy("50", "a"))
        assert report.time_ms == start + 150
        await exchange.balances()  # queries answer at once
        assert clock.now == start + 150
        resting = await exchange.place_order(maker_buy("99.00", "b"))
        await exchange.cancel_order("TESTUSDT", resting.order_id)
    assert clock.now == start + 450
    assert exchange.stats().mean_latency_ms == 150


async def test_a_retry_with_the_same_client_id_is_not_placed_twice(exchange) -> None:
    first = await exchange.place_order(market_buy("50", "once"))
    balances = await exchange.balances()
    again = await exchange.place_order(market_buy("50", "once"))
    assert again.order_id == first.order_id and again.status is OrderStatus.FILLED
    assert await exchange.balances() == balances
    with pytest.raises(OrderRejected, match=r"Duplicate order sent\."):
        await exchange.place_order(market_buy("60", "once"))
    oco = OcoRequest("TESTUSDT", D("0.4"), D(101), D(99), D("98.9"), "list-once")
    listed = await exchange.place_oco(oco)
    assert (await exchange.place_oco(oco)).order_list_id == listed.order_list_id
    assert len(await exchange.open_orders("TESTUSDT")) == 2


async def test_unknown_orders_and_lists_raise_order_not_found(exchange) -> None:
    with pytest.raises(OrderNotFound) as get:
        await exchange.get_order("TESTUSDT", 12345)
    with pytest.raises(OrderNotFound) as cancel:
        await exchange.cancel_order("TESTUSDT", 12345)
    with pytest.raises(OrderNotFound):
        await exchange.get_order_list("TESTUSDT", 7)
    with pytest.raises(OrderNotFound):
        await exchange.cancel_order_list("TESTUSDT", 7)
    assert (get.value.code, cancel.value.code) == (-2013, -2011)


async def test_market_events_drive_prices_and_fills(exchange, make_deep_book) -> None:
    resting = await exchange.place_order(maker_buy("99.50", "rest"))
    exchange.observe(TradeHappened(Trade("TESTUSDT", 99.4, 5.0, 10**13, buyer_is_maker=True)))
    assert (await exchange.get_order("TESTUSDT", resting.order_id)).status is OrderStatus.FILLED
    exchange.observe(StreamStale("TESTUSDT", silent_ms=60_000, time_ms=10**13))  # the book is gone
    exchange.observe(TickersUpdated((Ticker("TESTUSDT", 10**13, 120.0, 100, 121, 99, 1, 1),), 10**13))
    report = await exchange.place_order(market_buy("50", "after-ticker"))
    assert report.fills[0].price == D("120.03")  # the ticker's price + 2 bps (rounded up), not the old book
    exchange.observe(CandleUpdated(Candle("TESTUSDT", 10**13, 120.0, 121.0, 119.0, 119.5, 1.0)))
    exchange.observe(BookUpdated(make_deep_book(119.5, time_ms=10**13 + 60_000)))
    assert (await exchange.place_order(market_buy("50", "book-again"))).fills[0].price == D("119.51")


async def test_stats_report_fill_rates_of_maker_entries_and_fees(exchange) -> None:
    await exchange.place_order(maker_buy("99.50", "e1"))
    missed = await exchange.place_order(maker_buy("99.00", "e2"))
    exchange.observe_trade(Trade("TESTUSDT", 99.4, 5.0, 10**13, buyer_is_maker=True))
    await exchange.cancel_order("TESTUSDT", missed.order_id)  # the caller gives up after N seconds
    stats = exchange.stats()
    assert stats.fill_rate(OrderType.LIMIT_MAKER) == 0.5
    assert (stats.orders_placed, stats.orders_filled, stats.orders_canceled) == (2, 1, 1)
    assert stats.maker_fills == 1 and stats.maker_share == 1.0
    assert stats.fees_paid == {"TEST": D("0.001")}


def test_listeners_see_each_change_with_binance_execution_types(exchange) -> None:
    seen: list[OrderUpdate] = []
    exchange.engine.listeners.append(seen.append)
    engine = exchange.engine
    engine.place_order(market_buy("100", "b"), 1)
    oco = engine.place_oco(OcoRequest("TESTUSDT", D("0.9"), D(101), D(99), D("98.9"), "L"), 2)
    engine.observe_trade(Trade("TESTUSDT", 101.5, 5.0, 3, buyer_is_maker=False))
    kinds = [(u.report.client_order_id, u.execution, u.expiry_reason) for u in seen]
    assert kinds[:2] == [("b", "NEW", "NONE"), ("b", "TRADE", "NONE")]
    assert ("L-tp", "TRADE", "NONE") in kinds and ("L-sl", "EXPIRED", "OCO_TRIGGER") in kinds
    assert all(u.report.order_list_id == oco.order_list_id for u in seen[2:])


async def run_scenario(rules, clock, seed: int) -> tuple[list[object], object]:
    costs = SimulatorCosts(latency_ms=100, latency_jitter_ms=400, slippage_jitter_bps=D(5), seed=seed)
    sim = SimulatedExchange(rules, {"USDT": D(1000)}, clock, costs)
    sim.observe_trade(Trade("TESTUSDT", 100.0, 1.0, clock.now, buyer_is_maker=False))
    reports: list[object] = []
    for i in range(3):
        reports.append(await sim.place_order(market_buy("100", f"b{i}")))
        sim.observe_trade(Trade("TESTUSDT", 100.0 + i, 1.0, clock.now, buyer_is_maker=False))
    oco = await sim.place_oco(OcoRequest("TESTUSDT", D("0.9"), D(105), D(99), None, "L"))
    sim.observe_candle(Candle("TESTUSDT", clock.now + 60_000, 102.0, 102.5, 98.0, 98.5, 10.0))
    reports.append(await sim.get_order_list("TESTUSDT", oco.order_list_id))
    reports.append(await sim.balances())
    return reports, sim.stats()


async def test_same_inputs_and_seed_give_identical_reports(test_rules, make_clock) -> None:
    first = await run_scenario(test_rules, make_clock(), seed=11)
    second = await run_scenario(test_rules, make_clock(), seed=11)
    other_seed = await run_scenario(test_rules, make_clock(), seed=12)
    assert first == second
    assert first != other_seed  # the seed really drives latency and slippage draws
