"""No work that cannot lead to an order: while the risk book refuses every entry (daily trade cap, daily
loss, kill switch, open positions), the loop's scan neither watches, backfills nor scores a candidate."""

from __future__ import annotations

from dataclasses import replace

from tests.support.fakes import T0, FakeModel, good_until, trade_at
from tests.support.harness import LIMITS, SYMBOL, build, feed
from tests.support.logs import Logs


async def test_past_the_daily_trade_cap_the_scan_does_no_work_and_says_why_once(logs: Logs) -> None:
    h = build(model=FakeModel(good_until(T0 + 10 * 60_000)), limits=replace(LIMITS, max_trades_per_day=2))
    h.risk.record_entry("OTHERUSDT", T0 - 2_000)
    h.risk.record_entry("OTHERUSDT", T0 - 1_000)
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100), trade_at(SYMBOL, 1.0, T0 + 2_500))
    assert h.feed.watched == set() and h.feed.backfills == [] and h.model.batches == []
    assert h.exchange.orders_placed() == []
    assert len(logs.having("no trade: 2 trades today (UTC), the maximum is 2", "INFO")) == 1


async def test_the_scan_works_again_when_a_new_day_lifts_the_cap() -> None:
    h = build(model=FakeModel(good_until(T0 + 10 * 60_000)), limits=replace(LIMITS, max_trades_per_day=1))
    h.risk.record_entry("OTHERUSDT", T0 - 86_400_000)  # yesterday's
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert SYMBOL in h.feed.watched and h.model.batches
