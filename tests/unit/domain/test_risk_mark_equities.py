"""RiskBook.mark_equities: a replay's quiet stretch marked in one call leaves the book update_equity would,
and stops before the instant that fires the kill switch (or is not a number), for the caller to mark."""

from __future__ import annotations

import math

from domain.risk import RiskBook, RiskLimits

DAY = 86_400_000
MINUTE = 60_000
T0 = 19_700 * DAY + 23 * 3_600_000 + 58 * MINUTE  # 23:58 UTC: the stretch crosses midnight
LIMITS = RiskLimits(initial_capital=100.0, max_position_pct=0.2, min_position_usdt=5.0,
                    max_loss_per_trade_pct=0.02, max_daily_loss_pct=0.10, max_drawdown_pct=0.25,
                    max_open_positions=1, max_trades_per_hour=20, max_trades_per_day=100)


def test_one_call_leaves_the_book_one_update_per_instant_leaves() -> None:
    equities = [101.0, 103.5, 99.25, 102.0, 100.5]
    times = [T0 + i * MINUTE for i in range(len(equities))]
    one, each = RiskBook(LIMITS), RiskBook(LIMITS)
    assert one.mark_equities(equities, times) == len(equities)
    for equity, now in zip(equities, times, strict=True):
        assert not each.update_equity(equity, now)
    assert one.to_dict() == each.to_dict()
    assert one.day_start_capital(times[-1]) == 103.5  # the last equity before midnight starts the day


def test_it_stops_before_the_instant_that_fires_the_kill_switch() -> None:
    book = RiskBook(LIMITS)
    times = [T0 + i * MINUTE for i in range(4)]
    assert book.mark_equities([110.0, 90.0, 80.0, 120.0], times) == 2  # 80 is 27% below the 110 peak
    assert not book.kill_switch_active and book.last_equity == 90.0 and book.peak_equity == 110.0
    assert book.update_equity(80.0, times[2])  # the caller's own mark fires it, as a tick would


def test_it_stops_before_an_equity_that_is_not_a_number() -> None:
    book = RiskBook(LIMITS)
    assert book.mark_equities([101.0, math.nan, 102.0], [T0, T0 + MINUTE, T0 + 2 * MINUTE]) == 1
    assert book.last_equity == 101.0
