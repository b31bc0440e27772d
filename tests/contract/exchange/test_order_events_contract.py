"""The OrderEvents capability's contract (ports/order_events.py), on every adapter that has it: the
simulator and paper (in process) push what the venue's WebSocket API sends live, so a paper exit is taken
the way a live one is. An OCO leg that fills is an OrderChanged FILLED whose trades' fills add up to its
executed quantity (with their commission); then the list's OrderListChanged ALL_DONE."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from domain.order_events import OrderChanged, OrderEvent, OrderListChanged
from domain.orders import ListStatus, OrderStatus
from ports.order_events import OrderEvents

from .test_exchange_contract import buy_then_oco


async def collect(events: AsyncIterator[OrderEvent], into: list[OrderEvent], list_id: list[int],
                  ended: asyncio.Event) -> None:
    async for event in events:
        into.append(event)
        if isinstance(event, OrderListChanged) and event.order_list_id in list_id \
                and event.status is ListStatus.ALL_DONE:
            ended.set()


@pytest.mark.parametrize("leg", ["take_profit", "stop_loss"])
async def test_a_filled_oco_leg_is_pushed_with_its_fills_then_the_lists_end(env, leg: str) -> None:
    if not isinstance(env.exchange, OrderEvents):
        pytest.skip(f"{env.name} pushes no order events (the loop polls it)")
    got: list[OrderEvent] = []
    list_id: list[int] = []
    ended = asyncio.Event()
    reader = asyncio.get_running_loop().create_task(collect(env.exchange.order_events(), got, list_id, ended))
    try:
        rules, request, listed = await buy_then_oco(env, "ev")
        list_id.append(listed.order_list_id)
        through = (request.take_profit_price + rules.tick_size if leg == "take_profit"
                   else request.stop_price - rules.tick_size)
        await env.market.print_trade(env.symbol, through)
        await asyncio.wait_for(ended.wait(), timeout=5)
    finally:
        reader.cancel()
    legs = [e for e in got if isinstance(e, OrderChanged) and e.report.order_list_id == listed.order_list_id]
    filled = [e.report for e in legs if e.report.status is OrderStatus.FILLED]
    assert len({r.order_id for r in filled}) == 1
    fills = {f.trade_id: f for e in legs if e.report.order_id == filled[0].order_id for f in e.report.fills}
    assert sum(f.quantity for f in fills.values()) == filled[0].executed_quantity == request.quantity
    assert all(f.commission > 0 and f.commission_asset == rules.quote_asset for f in fills.values())
    done = next(e for e in got if isinstance(e, OrderListChanged) and e.status is ListStatus.ALL_DONE)
    assert done.order_list_id == listed.order_list_id and filled[0].order_id in done.order_ids
    assert got.index(done) > max(got.index(e) for e in legs if e.report.status is OrderStatus.FILLED)
