"""The risk book's fast paths against the plain computations they replace: the hourly count without its
searches, and a quiet stretch marked with its peak and day boundary kept in locals."""

from __future__ import annotations

import bisect
import math
import random

from domain.risk import RiskBook, RiskLimits
from domain.time_units import DAY_MS, HOUR_MS

LIMITS = RiskLimits(initial_capital=100.0, max_position_pct=0.2, min_position_usdt=5.0,
                    max_loss_per_trade_pct=0.02, max_daily_loss_pct=0.10, max_drawdown_pct=0.25,
                    max_open_positions=1, max_trades_per_hour=20, max_trades_per_day=100)
T0 = 19_700 * DAY_MS


def plain_trades_last_hour(entries: list[int], now_ms: int) -> int:
    del entries[:bisect.bisect_right(entries, now_ms - HOUR_MS)]
    return bisect.bisect_right(entries, now_ms)


def test_the_hourly_count_is_the_plain_search() -> None:
    rng = random.Random(3)
    for _ in range(300):
        book, entries, now = RiskBook(LIMITS), [], T0
        for _ in range(60):
            now += rng.choice((0, 1, 60_000, 600_000, 3_600_000, -120_000))  # at times earlier
            if rng.random() < 0.4:
                book.record_entry("BTCUSDT", now)
                plain_trades_last_hour(entries, now)
                bisect.insort(entries, now)
            assert book.trades_last_hour(now) == plain_trades_last_hour(entries, now)
            assert book.to_dict()["entries_ms"] == entries


def test_a_quiet_stretch_marks_what_update_equity_marks_one_by_one() -> None:
    rng = random.Random(11)
    for case in range(500):
        one, each = RiskBook(LIMITS), RiskBook(LIMITS)
        if case % 3 == 0:  # a book that has lived a day already
            for book in (one, each):
                book.update_equity(104.0, T0 - DAY_MS + 5)
        if case % 5 == 0:  # the switch already fired: every finite equity is marked
            for book in (one, each):
                book.update_equity(10.0, T0)
        equities = [rng.choice((math.nan, math.inf, 0.0, -5.0)) if rng.random() < 0.03 else
                    rng.uniform(70.0, 130.0) for _ in range(rng.randrange(0, 30))]
        times = [T0 + 10 * 60_000 * i + rng.randrange(0, 2) * DAY_MS // 3 for i in range(len(equities))]
        times.sort()
        marked = one.mark_equities(equities, times)
        expected = 0
        for equity, now in zip(equities, times, strict=True):
            if not math.isfinite(equity):
                break
            probe = RiskBook.from_dict(LIMITS, each.to_dict())
            if probe.update_equity(equity, now):
                break
            each.update_equity(equity, now)
            expected += 1
        assert marked == expected
        assert one.to_dict() == each.to_dict()


class PlainRollBook(RiskBook):
    """The book with the plain day roll at every question: `now_ms // DAY_MS > _day`."""

    def _roll(self, now_ms: int) -> None:
        self._day_ends_ms = -math.inf  # every inlined check calls this roll
        day = now_ms // DAY_MS
        if self._day is None or day > self._day:
            self._day_start_capital = self._last_equity
            self._day, self._day_pnl, self._day_trades = day, 0.0, 0


def test_the_kept_day_boundary_decides_as_the_plain_roll() -> None:
    from domain.position import CompletedTrade, ExitReason
    from domain.risk_values import TradeIntent

    rng = random.Random(23)
    for _ in range(200):
        fast, plain, now = RiskBook(LIMITS), PlainRollBook(LIMITS), T0 - rng.randrange(0, DAY_MS)
        snapshots = [fast.to_dict()]
        for _ in range(40):
            now += rng.choice((0, 1, 3_600_000, DAY_MS // 2, -60_000))
            step, equity = rng.randrange(6), rng.uniform(90.0, 110.0)
            for book in (fast, plain):
                if step == 0:
                    book.record_entry("BTCUSDT", now)
                elif step == 1:
                    book.record_exit(CompletedTrade("BTCUSDT", 100.0, 90.0, 1.0, now - 60_000, now, 0.1,
                                                    ExitReason.SL), now)
                elif step == 2:
                    book.update_equity(equity, now)
                elif step == 3 and book is fast:  # an older snapshot read back: its day, its boundary
                    snapshot = rng.choice(snapshots)
                    fast.restore(snapshot)
                    plain.restore(snapshot)
            intent = TradeIntent("ETHUSDT", 100.0, 99.0, 5.0, now)
            assert fast.check(intent, now, 100.0, frozenset()) == plain.check(intent, now, 100.0, frozenset())
            assert fast.entries_blocked(now, 0) == plain.entries_blocked(now, 0)
            assert fast.to_dict() == plain.to_dict()
            snapshots.append(fast.to_dict())
            day = fast.to_dict()["day"]
            assert fast._day_ends_ms == (-math.inf if day is None else (day + 1) * DAY_MS)
