"""The lab's verdict reaches the loop (issue 16 item 4): a model the lab did not pass scores signals and
enters none, each refusal saying why; the console's snapshot carries the same reason."""

from __future__ import annotations

from tests.support.fakes import T0, FakeModel, trade_at
from tests.support.harness import SYMBOL, build, config, feed
from tests.support.logs import Logs

from adapters.console.json_view import status_json
from application.console_state import ConsoleState
from application.recent_trades import RecentTrades
from domain.values import Side

REASON = "lab gate closed: deflated Sharpe ratio 0.410 < 0.95"


async def test_a_closed_lab_gate_refuses_every_signal_and_says_which_test_failed(logs: Logs) -> None:
    h = build(model=FakeModel(), loop_config=config(lab_gate_closed=REASON))
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert not [r for r in h.exchange.orders_placed() if r.side is Side.BUY]
    assert logs.having(f"Signal {SYMBOL} refused: {REASON}", "INFO")
    assert h.loop.gate_closed_reason() == REASON
    snapshot = ConsoleState(h.loop, RecentTrades(h.journal), h.clock, venue="PAPER").snapshot()
    assert snapshot.gate_closed_reason == REASON  # the console's EV gate field: "CLOSED: <reason>"
    assert status_json(snapshot)["ev_gate"]["closed_reason"] == REASON
    await h.loop.stop()


async def test_an_open_lab_gate_trades_as_before() -> None:
    h = build(model=FakeModel(), loop_config=config())
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert [r for r in h.exchange.orders_placed() if r.side is Side.BUY]
    assert h.loop.gate_closed_reason() is None
    await h.loop.stop()
