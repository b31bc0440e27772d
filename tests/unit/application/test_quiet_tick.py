"""A quiet tick: while nothing is held or under way and the risk book refuses every entry until a known
instant, a driver may tick the loop without its scan; equity (and the kill switch) still move with it."""

from __future__ import annotations

from dataclasses import replace

from tests.support.fakes import T0, FakeModel, good_until, trade_at
from tests.support.harness import LIMITS, SYMBOL, build, feed

from domain.time_units import DAY_MS, HOUR_MS


async def test_past_the_daily_cap_the_loop_is_quiet_until_the_next_utc_day() -> None:
    h = build(limits=replace(LIMITS, max_trades_per_day=2))
    await h.loop.start()
    assert h.loop.quiet_until(T0) is None  # an entry may open: a full tick
    h.risk.record_entry("OTHERUSDT", T0 - 2_000)
    h.risk.record_entry("OTHERUSDT", T0 - 1_000)
    reason, until = h.loop.quiet_until(T0) or ("", 0)
    assert "2 trades today" in reason  # until an hour after the oldest entry: the earliest a count may move
    assert until == min((T0 // DAY_MS + 1) * DAY_MS, T0 - 2_000 + HOUR_MS)
    assert not await h.loop.quiet_tick(T0 + 1_000, 100.5)  # it only marked equity
    assert h.risk.last_equity == 100.5 and h.feed.watched == set() and h.model.batches == []


async def test_a_quiet_tick_fires_the_kill_switch_like_a_full_one() -> None:
    h = build(limits=replace(LIMITS, max_trades_per_day=1))
    await h.loop.start()
    h.risk.record_entry("OTHERUSDT", T0 - 1_000)
    assert h.loop.quiet_until(T0) is not None
    assert await h.loop.quiet_tick(T0 + 1_000, 70.0)  # 30% below the peak: the span is over
    assert h.loop.stopped and h.kills and h.loop.quiet_until(T0 + 2_000) is None


async def test_a_position_open_is_never_quiet_even_past_the_cap() -> None:
    h = build(model=FakeModel(good_until(T0 + 10 * 60_000)), limits=replace(LIMITS, max_trades_per_day=1))
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100), trade_at(SYMBOL, 1.0, T0 + 2_500))
    assert h.loop.busy_symbols() == {SYMBOL} and h.risk.entries_blocked(h.clock.now_ms(), 1) is not None
    assert h.loop.quiet_until(h.clock.now_ms()) is None


async def test_quiet_marks_mark_equity_in_one_call_up_to_the_reconcile() -> None:
    h = build(limits=replace(LIMITS, max_trades_per_day=1))
    await h.loop.start()
    h.risk.record_entry("OTHERUSDT", T0 - 1_000)
    assert h.loop.quiet_until(T0) is not None
    due = h.clock.now_ms() + h.loop.config.reconcile_interval_ms  # the next reconcile after start's
    times = [due - 2 * 60_000, due - 60_000, due, due + 60_000]
    assert h.loop.quiet_marks(times, [100.5, 101.0, 101.5, 102.0]) == 2  # the third reconciles: a quiet_tick
    assert h.risk.last_equity == 101.0 and h.loop.last_tick_ms == times[1]
    assert await h.loop.quiet_tick(times[2], 101.5)  # it did more than mark equity
