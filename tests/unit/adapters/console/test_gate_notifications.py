"""The model closing its own EV gate (application/guard_model.py) is a notification, told once with its
reason and numbers through the console's path (snapshot -> EventWatch -> Notifier -> apprise), and the
dashboard shows it; a trade notice is in the run's quote asset."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.support.fakes import T0, FakeModel, trade_at
from tests.support.harness import LIMITS, SYMBOL, Harness, build, config, feed
from tests.unit.adapters.console.conftest import console_config, serve, until

from adapters.console.config import NotifyConfig
from adapters.console.events import EventWatch
from application.console_state import ConsoleState
from application.recent_trades import RecentTrades
from domain.model_health import HealthBounds
from domain.position import CompletedTrade, ExitReason

WATCH = HealthBounds(min_trades=3, window=10, max_shortfall_pct=0.1, t_bound=2.0, drift_features=())
LAB_REASON = "lab gate closed: deflated Sharpe ratio 0.410 < 0.95"


def watched() -> Harness:
    """The fake model promises +0.2% on every signal; the market below stops each trade out."""
    return build(model=FakeModel(), loop_config=config(model_health=WATCH),
                 limits=replace(LIMITS, cooldown_ms=10_000))


async def lose_three(h: Harness, after: Any = None) -> None:
    for k in range(3):  # buy at 1.0, stopped out at 0.995: each realises about -0.6% net
        start = T0 + 100 + k * 60_000
        await feed(h, trade_at(SYMBOL, 1.0, start), trade_at(SYMBOL, 0.995, start + 3_000))
        if after is not None:
            after()


class Told:
    """A fake notifier: what EventWatch sent, in order."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def __call__(self, title: str, body: str) -> None:
        self.messages.append((title, body))

    def titled(self, title: str) -> list[str]:
        return [body for t, body in self.messages if t == title]


async def started_with_console() -> tuple[Harness, ConsoleState, Told, EventWatch]:
    """A watched loop started, its console state, and the notifications it has sent (the start's)."""
    h = watched()
    state = ConsoleState(h.loop, RecentTrades(h.journal), h.clock, venue="PAPER")
    told = Told()
    watch = EventWatch(told, NotifyConfig())
    await h.loop.start()
    watch.on_snapshot(state.snapshot())
    return h, state, told, watch


async def test_the_model_closing_its_gate_is_told_once_with_its_reason_and_numbers() -> None:
    h, state, told, watch = await started_with_console()
    await lose_three(h, after=lambda: watch.on_snapshot(state.snapshot()))
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 300_000))  # a signal refused by the closed gate
    for _ in range(3):  # the dashboard's pulse goes on: no repeat
        watch.on_snapshot(state.snapshot())
    await h.loop.stop()

    assert [t for t, _ in told.messages] == ["CryptoScalper started", "EV GATE CLOSED"]
    assert "EV gate" not in told.messages[0][1]  # open at start
    (body,) = told.titled("EV GATE CLOSED")
    assert body.startswith("model degraded: 3 trades realised -0.")
    assert "%/trade vs expected +0.20% (t=" in body and "no new entry" in body


async def test_the_operator_reopens_the_gate_the_model_closed_and_the_model_trades_again() -> None:
    h, state, told, watch = await started_with_console()
    assert state.reopen_model_gate() == "the model's health watch has not closed the EV gate"
    await lose_three(h)
    closed = state.snapshot()
    assert closed.model_gate_closed and (closed.gate_closed_reason or "").startswith("model degraded")
    watch.on_snapshot(closed)
    assert state.reopen_model_gate() == "EV gate reopened; the model is judged afresh"
    reopened = state.snapshot()
    assert reopened.gate_closed_reason is None and not reopened.model_gate_closed
    watch.on_snapshot(reopened)
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 300_000))  # the signal the closed gate refused is traded now
    assert [p.symbol for p in h.loop.open_positions()] == [SYMBOL]
    await h.loop.stop()
    assert [t for t, _ in told.messages] == ["CryptoScalper started", "EV GATE CLOSED", "EV gate open again"]


async def test_the_labs_verdict_is_not_the_operators_to_reopen() -> None:
    h = build(model=FakeModel(), loop_config=config(lab_gate_closed=LAB_REASON, model_health=WATCH))
    state = ConsoleState(h.loop, RecentTrades(h.journal), h.clock, venue="PAPER")
    await h.loop.start()
    assert state.reopen_model_gate() == "the model's health watch has not closed the EV gate"
    snapshot = state.snapshot()
    await h.loop.stop()
    assert snapshot.gate_closed_reason == LAB_REASON and not snapshot.model_gate_closed


async def test_reopening_is_told_and_a_reworded_closed_gate_is_not() -> None:
    h = build(model=FakeModel())
    await h.loop.start()
    opened = ConsoleState(h.loop, RecentTrades(h.journal), h.clock, venue="PAPER").snapshot()
    await h.loop.stop()
    closed = replace(opened, gate_closed_reason="model degraded: feature drift rsi_14 PSI=0.41 > 0.25")
    told = Told()
    watch = EventWatch(told, NotifyConfig())
    for snapshot in (opened, closed, replace(closed, gate_closed_reason="model degraded: other words"),
                     opened, opened):
        watch.on_snapshot(snapshot)
    assert [t for t, _ in told.messages] == ["CryptoScalper started", "EV GATE CLOSED", "EV gate open again"]
    assert "feature drift rsi_14 PSI=0.41 > 0.25" in told.messages[1][1]
    assert told.messages[2][1].startswith("was closed for: model degraded: other words")


async def test_a_gate_closed_by_the_lab_from_the_start_is_in_the_start_notice_only() -> None:
    h = build(model=FakeModel(), loop_config=config(lab_gate_closed=LAB_REASON))
    state = ConsoleState(h.loop, RecentTrades(h.journal), h.clock, venue="PAPER")
    told = Told()
    watch = EventWatch(told, NotifyConfig())
    await h.loop.start()
    watch.on_snapshot(state.snapshot())
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    watch.on_snapshot(state.snapshot())
    await h.loop.stop()
    assert [t for t, _ in told.messages] == ["CryptoScalper started"]
    assert told.messages[0][1].endswith(f"; EV gate CLOSED: {LAB_REASON}")


async def test_a_trade_notice_is_in_the_runs_quote_asset() -> None:
    h = build(model=FakeModel())
    await h.loop.start()
    snapshot = ConsoleState(h.loop, RecentTrades(h.journal), h.clock, venue="PAPER").snapshot()
    await h.loop.stop()
    told = Told()
    watch = EventWatch(told, NotifyConfig(each_trade=True))
    watch.on_snapshot(replace(snapshot, quote_asset="FDUSD"))
    watch.on_trade(CompletedTrade("BTCFDUSD", 100.0, 101.0, 0.5, T0, T0 + 60_000, 0.1, ExitReason.TP))
    (body,) = told.titled("Trade BTCFDUSD TP")
    assert "+0.4000 FDUSD (+0.80%)" in body and "USDT" not in body


async def test_the_gate_closing_reaches_a_notification_service_through_the_console(webhook: Any) -> None:
    """The whole path: the loop's guard, the console's pulse, the notifier, apprise, a json:// webhook."""
    port, received = webhook
    h = watched()
    state, service, _ = await serve(h, console_config(urls=(f"json://127.0.0.1:{port}/hook",)))
    try:
        await h.loop.start()
        service.beat()
        await lose_three(h)
        for _ in range(3):
            service.beat()
        await until(lambda: any(r["title"] == "EV GATE CLOSED" for r in received))
        assert state.snapshot().gate_closed_reason is not None
    finally:
        await h.loop.stop()
        await service.__aexit__(None, None, None)  # drains the queue: every notice sent is received
    titles = [r["title"] for r in received]
    assert titles.count("EV GATE CLOSED") == 1 and titles[0] == "CryptoScalper started"
    (closed,) = [r["message"] for r in received if r["title"] == "EV GATE CLOSED"]
    assert closed.startswith("model degraded: 3 trades realised -0.") and "(t=" in closed

