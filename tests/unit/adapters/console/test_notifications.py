"""Notifications through apprise to a local webhook (json://127.0.0.1), and what is worth telling."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr
from tests.support.fakes import T0, FakeModel, good_until, trade_at
from tests.support.harness import SYMBOL, build, feed
from tests.unit.adapters.console.conftest import until

from adapters.console.config import NotifyConfig
from adapters.console.events import EventWatch
from adapters.console.notifier import Notifier
from domain.time_units import DAY_MS


async def test_a_notification_reaches_the_webhook_without_blocking(webhook: Any) -> None:
    port, received = webhook
    notifier = Notifier((SecretStr(f"json://127.0.0.1:{port}/hook"),))
    await notifier.start()
    notifier.notify("KILL SWITCH", "drawdown 25%")  # returns at once: the send is a background task
    await until(lambda: received)
    await notifier.stop()
    assert received[0]["title"] == "KILL SWITCH" and received[0]["message"] == "drawdown 25%"
    assert notifier.sent == 1


async def test_a_dead_service_never_raises_and_is_logged_once(logs: Any) -> None:
    notifier = Notifier((SecretStr("json://127.0.0.1:9/nothing-listens-here"),))
    await notifier.start()
    for i in range(3):
        notifier.notify("stop", f"message {i}")
    await until(lambda: notifier.failed == 3, within_sec=20)
    await notifier.stop()
    warned = logs.having("notification not delivered")
    assert len(warned) == 1 and "127.0.0.1:9" not in warned[0]["message"]


async def test_a_full_queue_drops_instead_of_blocking() -> None:
    notifier = Notifier((SecretStr("json://127.0.0.1:9/x"),), queue_size=2)  # not started: nothing drains
    for i in range(5):
        notifier.notify("t", str(i))
    assert notifier.dropped == 3


async def test_the_events_worth_a_notice_start_trade_kill_switch_halt_summary_and_errors() -> None:
    from application.console_state import ConsoleState
    from application.recent_trades import RecentTrades

    h = build(model=FakeModel(good_until(T0 + 1_000)))
    trades = RecentTrades(h.journal)
    h.loop.account._journal = trades
    state = ConsoleState(h.loop, trades, h.clock, venue="PAPER")
    told: list[tuple[str, str]] = []
    watch = EventWatch(lambda title, body: told.append((title, body)),
                       NotifyConfig(each_trade=True, repeated_errors=3))
    trades.subscribe(watch.on_trade)
    await h.loop.start()
    watch.on_snapshot(state.snapshot())
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100), trade_at(SYMBOL, 1.0031, T0 + 5_000))
    watch.on_snapshot(state.snapshot())
    h.risk.update_equity(10.0, T0 + 6_000)
    h.loop.request_stop("kill switch: drawdown")
    watch.on_snapshot(state.snapshot())
    h.clock.advance_to(T0 - T0 % DAY_MS + DAY_MS + 1)
    watch.on_snapshot(state.snapshot())
    for second in range(4):
        watch.on_error(T0 + second * 1000, "balances failed")
    watch.final(state.snapshot())
    titles = [title for title, _ in told]
    assert titles == ["CryptoScalper started", f"Trade {SYMBOL} TP", "KILL SWITCH", "CryptoScalper HALTED",
                      "Daily summary 2023-11-14", "Repeated errors"]
    assert "1 trade(s)" in told[4][1]
    await h.loop.stop()
