"""A slow exchange answer holds only its own symbol (issue 14): while one position's sale hangs, another
position's take-profit is seen and journaled, and the loop goes on with the market."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from tests.support.fakes import T0, rules_for, trade_at
from tests.support.harness import LIMITS, build, config, feed

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
