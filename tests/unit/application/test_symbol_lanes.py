"""A slow exchange answer holds only its own symbol (issue 14): while one position's sale hangs, another
position's take-profit is seen and journaled, and the loop goes on with the market."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from tests.support.fakes import T0, rules_for, trade_at
from tests.support.harness import LIMITS, build, config, feed

from application.symbol_lanes import SymbolLanes
from domain.orders import OrderReport, OrderRequest
from domain.position import ExitReason
from domain.values import Side

SLOW, QUICK = "AAAUSDT", "BBBUSDT"


async def test_a_hanging_sale_holds_its_symbol_only() -> None:
    h = build(rules={SLOW: rules_for(SLOW), QUICK: rules_for(QUICK)}, prices={SLOW: "1.0", QUICK: "1.0"},
              top=(SLOW,), limits=replace(LIMITS, max_open_positions=2), loop_config=config(mode="paper"))
    gate = asyncio.Event()
    place = h.exchange.place_order

    async def slow_sales(request: OrderRequest) -> OrderReport:
        if request.symbol == SLOW and request.side is Side.SELL:
            await gate.wait()  # Binance takes its time answering this one
        return await place(request)

    h.exchange.place_order = slow_sales  # type: ignore[method-assign]
    await h.loop.start()
    await feed(h, trade_at(SLOW, 1.0, T0 + 100))
    h.scanner.top = [QUICK]
    await feed(h, trade_at(QUICK, 1.0, T0 + 200_000))
    assert set(h.loop.positions.positions) == {SLOW, QUICK}
    h.scanner.top = []

    # SLOW's time is up: its sale hangs, and the loop does not wait for it (a frozen loop fails here).
    await asyncio.wait_for(feed(h, trade_at(SLOW, 1.0, T0 + 301_000)), timeout=5)
    await asyncio.sleep(0)
    await feed(h, trade_at(QUICK, 1.0031, T0 + 302_500))  # QUICK's take-profit fills meanwhile
    for _ in range(5):
        await asyncio.sleep(0)
    assert [(t.symbol, t.exit_reason) for t in h.journal.records] == [(QUICK, ExitReason.TP)]
    assert SLOW in h.loop.positions.positions and not gate.is_set()

    gate.set()
    await h.loop.stop()  # waits for the lanes
    assert [(t.symbol, t.exit_reason) for t in h.journal.records] == [(QUICK, ExitReason.TP),
                                                                      (SLOW, ExitReason.TIMEOUT)]


async def test_a_reconcile_leaves_a_busy_lanes_position_to_its_lane() -> None:
    """The stop-loss leg filled while the position's lane is busy with it (a slow answer). A reconcile
    that finds the OCO gone must not finish the position behind the lane's back: two finishers journal
    one round trip twice (seen on the venue). Its poll goes to the lane, which is busy: skipped."""
    h = build(rules={SLOW: rules_for(SLOW)}, prices={SLOW: "1.0"}, top=(SLOW,),
              loop_config=config(mode="paper"))
    await h.loop.start()
    await feed(h, trade_at(SLOW, 1.0, T0 + 100))
    assert SLOW in h.loop.positions.positions
    h.scanner.top = []
    gate = asyncio.Event()
    await h.loop._lanes.run(SLOW, gate.wait)  # the lane is busy with this position
    h.exchange.set_price(SLOW, "0.9958")  # meanwhile the stop-loss leg fills on the exchange
    await h.loop._sync()
    assert h.journal.records == [] and SLOW in h.loop.positions.positions
    gate.set()
    await h.loop._lanes.drain()
    await h.loop._sync()  # the lane is free: the next reconcile's poll runs in it and finds the fill, once
    await h.loop._sync()
    await h.loop.stop()
    assert [(t.symbol, t.exit_reason) for t in h.journal.records] == [(SLOW, ExitReason.SL)]


async def test_a_lane_sends_before_the_loop_takes_the_next_event() -> None:
    """An exit decided on a price event reaches the exchange before the loop goes on with the feed's
    backlog: the lane's work runs up to its first wait for an answer before `run` returns."""
    lanes = SymbolLanes(concurrent=True)
    seen: list[str] = []
    answer = asyncio.Event()

    async def sale() -> None:
        seen.append("sale sent")
        await answer.wait()
        seen.append("sale answered")

    await lanes.run(SLOW, sale)
    seen.append("next event")
    answer.set()
    await lanes.drain()
    assert seen == ["sale sent", "next event", "sale answered"]
