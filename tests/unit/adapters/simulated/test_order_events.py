"""The simulator pushes the order events the venue sends as executionReport/listStatus (ports.order_events),
so paper trading exits the way live does: an OCO leg's fill is an OrderChanged carrying that trade, then
the list's end; nothing is recorded before someone follows the events (backtests never do)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

from tests.support.clocks import ManualClock

from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.exchange import SimulatedExchange
from domain.order_events import OrderChanged, OrderEvent, OrderListChanged
from domain.orders import ListStatus, OcoRequest, OrderStatus, OrderType
from domain.rules import SymbolRules
from domain.values import Trade
from ports.order_events import OrderEvents

D = Decimal


async def collect(events: AsyncIterator[OrderEvent], into: list[OrderEvent]) -> None:
    async for event in events:
        into.append(event)


async def settled() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_an_oco_take_profit_is_pushed_as_its_trade_then_the_lists_end(
        test_rules: dict[str, SymbolRules]) -> None:
    sim = SimulatedExchange(test_rules, {"TEST": D(10)}, ManualClock(), SimulatorCosts())
    assert isinstance(sim, OrderEvents)
    sim.observe_trade(Trade("TESTUSDT", 100.0, 1.0, 1_000, buyer_is_maker=False))
    listed = await sim.place_oco(OcoRequest("TESTUSDT", D(10), D(101), D(99), D("98.9"), "L1"))
    assert sim.engine.listeners == []  # nobody follows: nothing recorded (a backtest)
    got: list[OrderEvent] = []
    reader = asyncio.get_running_loop().create_task(collect(sim.order_events(), got))
    sim.observe_trade(Trade("TESTUSDT", 101.01, 50.0, 4_000, buyer_is_maker=False))
    await settled()
    trade = next(e for e in got if isinstance(e, OrderChanged) and e.execution == "TRADE")
    assert trade.report.type is OrderType.LIMIT_MAKER and trade.report.status is OrderStatus.FILLED
    assert trade.report.order_list_id == listed.order_list_id
    assert sum(f.quantity for f in trade.report.fills) == trade.report.executed_quantity == D(10)
    assert trade.report.fills[0].commission > 0
    expired = [e for e in got if isinstance(e, OrderChanged) and e.execution == "EXPIRED"]
    assert [e.report.type for e in expired] == [OrderType.STOP_LOSS_LIMIT]
    ended = [e for e in got if isinstance(e, OrderListChanged)]
    assert [(e.order_list_id, e.status) for e in ended] == [(listed.order_list_id, ListStatus.ALL_DONE)]
    assert got.index(ended[0]) > got.index(trade)  # the leg first, then the list (as the venue sends)
    count = len(got)
    await settled()
    reader.cancel()
    assert len(got) == count  # once each
