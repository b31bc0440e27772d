"""The timing wrappers: events pass through unchanged, each order is timed from the last event."""

from __future__ import annotations

from decimal import Decimal

from tests.support.clocks import ManualClock
from tests.support.fakes import T0, FakeExchange, FakeFeed, rules_for, trade_at
from tests.support.streaming_exchange import StreamingFakeExchange

from adapters.console.instruments import TimedExchange, TimedFeed
from adapters.console.metrics import ConsoleMetrics
from adapters.simulated.exchange import SimulatedExchange
from domain.orders import OrderRequest, OrderType
from domain.values import Side
from ports.exchange import CommissionRates
from ports.order_events import OrderEvents
from ports.order_lookup import OrderLookup


def count(metrics: ConsoleMetrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(f"{name}_count", labels)
    return 0.0 if value is None else value


async def test_events_pass_through_and_orders_are_timed_from_the_last_event() -> None:
    events = [trade_at("ABCUSDT", 1.0, T0 + i) for i in range(3)]
    metrics = ConsoleMetrics()
    feed = TimedFeed(FakeFeed(events))
    exchange = TimedExchange(FakeExchange({"ABCUSDT": rules_for("ABCUSDT")}, {"USDT": "100"},
                                          {"ABCUSDT": "1.0"}), metrics, feed)
    async with feed, exchange:
        seen = [event async for event in feed.events()]
        assert seen == events and feed.last_event_ns > 0
        await exchange.place_order(OrderRequest("ABCUSDT", Side.BUY, OrderType.MARKET, "t-1",
                                                quote_quantity=Decimal(10)))
        await exchange.open_orders(None)
    assert count(metrics, "cryptoscalper_tick_to_order_seconds") == 1
    assert count(metrics, "cryptoscalper_order_round_trip_seconds", kind="order") == 1
    assert count(metrics, "cryptoscalper_order_round_trip_seconds", kind="query") == 1


def test_the_exchanges_order_events_stay_visible_through_the_timing_wrapper_only_when_it_has_them() -> None:
    args = ({"ABCUSDT": rules_for("ABCUSDT")}, {"USDT": "100"}, {"ABCUSDT": "1.0"})
    streaming = StreamingFakeExchange(*args)
    timed = TimedExchange(streaming, ConsoleMetrics())
    assert isinstance(timed, OrderEvents) and timed.order_events == streaming.order_events
    assert not isinstance(TimedExchange(FakeExchange(*args), ConsoleMetrics()), OrderEvents)  # polls


class LookupOnlyExchange(FakeExchange):
    """An exchange that can find orders by client id but neither pushes events nor knows its fees."""


def test_recoverys_lookup_and_the_commission_rates_stay_visible_through_the_timing_wrapper() -> None:
    args = ({"ABCUSDT": rules_for("ABCUSDT")}, {"USDT": "100"}, {"ABCUSDT": "1.0"})
    simulated = SimulatedExchange({"ABCUSDT": rules_for("ABCUSDT")}, {"USDT": Decimal(100)}, ManualClock())
    timed = TimedExchange(simulated, ConsoleMetrics())
    assert isinstance(simulated, OrderLookup) and isinstance(simulated, CommissionRates)
    assert isinstance(timed, OrderLookup) and timed.find_order == simulated.find_order
    assert isinstance(timed, CommissionRates) and timed.commission == simulated.commission
    plain = TimedExchange(LookupOnlyExchange(*args), ConsoleMetrics())
    assert isinstance(plain, OrderLookup) and not isinstance(plain, CommissionRates)
