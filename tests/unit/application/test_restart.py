"""What a restart keeps (issue 14): intents on disk before the order, the latched kill switch, a ban until
it expires, the day's loss; and equity on the capital given, counting a position or its proceeds, never both.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.support.fakes import T0, trade_at
from tests.support.harness import SYMBOL, build, feed, restart

from adapters.storage.state_store import SqliteStateStore
from application.kill_switch import reset_kill_switch
from domain.position import CompletedTrade, ExitReason
from domain.risk import RiskBook
from domain.trading_state import IntentState, OrderIntent
from domain.values import Side
from ports.errors import RateLimited


class SpyStore(SqliteStateStore):
    """The real store, telling a shared log when an intent is written (to order it against the sends)."""

    def __init__(self, path: Path, log: list[str]) -> None:
        super().__init__(path)
        self.log = log

    def record_intent(self, intent: OrderIntent) -> None:
        self.log.append(f"intent {intent.client_id}")
        super().record_intent(intent)


async def test_every_order_intent_is_on_disk_before_the_order_is_sent(tmp_path: Path) -> None:
    log: list[str] = []
    store = SpyStore(tmp_path / "paper.sqlite", log)
    h = build(state=store)
    h.exchange.calls = log
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    sends = [entry for entry in log if entry.startswith(("intent", "place_"))]
    assert [s.split("-")[0] for s in sends] == ["intent cse", "place_order", "intent cso", "place_oco"]
    entry, oco = (s.split(" ")[1] for s in sends if s.startswith("intent"))
    assert store.intent(entry).state is IntentState.FILLED  # type: ignore[union-attr]
    assert store.intent(oco).state is IntentState.ACKNOWLEDGED  # type: ignore[union-attr]
    assert [p.symbol for p in store.positions()] == [SYMBOL]  # written through, with its OCO
    assert store.positions()[0].oco_list_id == h.loop.positions.positions[SYMBOL].oco_list_id


async def test_after_the_kill_switch_a_restart_refuses_to_trade_until_reset(tmp_path: Path) -> None:
    path = tmp_path / "paper.sqlite"
    h = build(state=SqliteStateStore(path))
    await h.loop.start()
    assert h.risk.update_equity(70.0, T0)  # -30% from the peak: the switch fires
    await h.loop.stop()

    again = restart(h, SqliteStateStore(path))
    await again.loop.start()
    assert again.loop.stopped and "kill switch is active" in (again.loop.stopped_reason or "")
    await feed(again, trade_at(SYMBOL, 1.0, T0 + 100))
    await again.loop.stop()
    assert again.exchange.orders_placed() == []

    line = reset_kill_switch(SqliteStateStore(path), RiskBook(h.risk.limits))
    assert line.startswith("kill switch reset") and "\n" not in line
    third = restart(h, SqliteStateStore(path))
    await third.loop.start()
    assert not third.loop.stopped
    await feed(third, trade_at(SYMBOL, 1.0, T0 + 200))
    assert [o.side for o in third.exchange.orders_placed()] == [Side.BUY]


async def test_a_restart_inside_a_ban_waits_it_out_without_calling_the_exchange(tmp_path: Path) -> None:
    path = tmp_path / "live.sqlite"
    h = build(state=SqliteStateStore(path))
    await h.loop.start()
    h.exchange.fail_next("balances", RateLimited("IP banned until later", retry_after=120, banned=True))
    h.loop.account.balances_changed()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert h.loop.stopped and "banned" in (h.loop.stopped_reason or "")
    await h.loop.stop()

    calls_at_sleep: list[int] = []
    sleep = h.clock.sleep

    async def watched_sleep(seconds: float) -> None:
        calls_at_sleep.append(len(h.exchange.calls))
        await sleep(seconds)

    h.clock.sleep = watched_sleep  # type: ignore[method-assign]
    h.clock.now += 30_000  # 30 s later: 90 s of the ban remain
    calls_before = len(h.exchange.calls)
    again = restart(h, SqliteStateStore(path))
    await again.loop.start()
    assert calls_at_sleep[0] == calls_before  # not one call before the ban's end
    assert 89 <= h.clock.slept[-1] <= 91 and not again.loop.stopped
    assert h.clock.now >= T0 + 100 + 120_000


async def test_the_daily_loss_limit_holds_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "paper.sqlite"
    h = build(state=SqliteStateStore(path))
    await h.loop.start()
    loss = CompletedTrade(SYMBOL, 1.0, 0.9, 110.0, T0, T0 + 50, 0.0, ExitReason.SL)  # -11 USDT, limit 10
    h.loop.account.record(loss)
    await h.loop.stop()

    again = restart(h, SqliteStateStore(path))
    await again.loop.start()
    now = h.clock.now_ms()
    assert abs(again.risk.daily_pnl(now) + 11.0) < 1e-9
    assert not again.loop.could_enter(now, await again.loop.equity())
    await feed(again, trade_at(SYMBOL, 1.0, now + 100))
    assert again.exchange.orders_placed() == []
    assert len(again.journal.records) == 1  # recorded and exported once


async def test_sizing_and_equity_follow_the_capital_given_not_the_whole_account() -> None:
    h = build(usdt="1000")  # initial_capital 100: 20% a position
    await h.loop.start()
    assert await h.loop.equity() == 100.0
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    buy = h.exchange.orders_placed()[0]
    assert buy.quote_quantity is not None and Decimal(19) < buy.quote_quantity <= Decimal(20)


async def test_an_oco_leg_filled_before_the_loop_sees_it_does_not_spike_equity() -> None:
    h = build()
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    position = h.loop.positions.positions[SYMBOL]
    h.exchange.set_price(SYMBOL, "1.0031")  # the take-profit fills on the exchange
    await h.loop.account.refresh()  # the balance already holds the proceeds; the position is still held
    assert h.exchange.free["USDT"] > 99 and SYMBOL in h.loop.positions.positions
    equity = await h.loop.equity()
    unrealised = position.quantity * 1.0 - position.cost_usdt - position.entry_fee_usdt
    assert abs(equity - (100.0 + unrealised)) < 1e-9  # a balance-based figure read ~120 here
    await h.loop.on_tick(h.clock.now_ms())
    assert h.risk.peak_equity < 100.1


async def test_a_trade_the_journal_could_not_take_is_exported_once_by_the_next_run(tmp_path: Path) -> None:
    path = tmp_path / "paper.sqlite"
    h = build(state=SqliteStateStore(path))
    await h.loop.start()
    h.journal.fail_writes = 10  # the disk of the journal is full until the restart
    h.loop.account.record(CompletedTrade(SYMBOL, 1.0, 1.01, 10.0, T0, T0 + 50, 0.02, ExitReason.TP))
    assert h.journal.records == []  # killed before any retry

    h.journal.fail_writes = 0
    again = restart(h, SqliteStateStore(path))
    await again.loop.start()
    await again.loop.stop()
    assert [t.exit_price for t in again.journal.records] == [1.01]
    assert SqliteStateStore(path).unexported_trades() == []
    third = restart(h, SqliteStateStore(path))
    await third.loop.start()
    assert len(third.journal.records) == 1 and abs(third.risk.realised_pnl - 0.08) < 1e-9
