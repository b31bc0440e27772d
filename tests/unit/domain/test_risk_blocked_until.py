"""How long the risk book's block lasts: a replay passes the minutes in between without a full tick, so
the instant must be the first one at which `entries_blocked` could say something else."""

from __future__ import annotations

from dataclasses import replace

from tests.unit.domain.test_risk import DAY, HOUR, LIMITS, MINUTE, T0, trade

from domain.risk import RiskBook


def test_the_daily_trade_cap_lasts_until_the_next_utc_day() -> None:
    book = RiskBook(replace(LIMITS, max_trades_per_day=2, max_trades_per_hour=100))
    book.record_entry("ETHUSDT", T0 - 3 * HOUR)
    book.record_entry("ETHUSDT", T0 - 2 * HOUR)
    reason, until = book.entries_blocked_until(T0, 0) or ("", 0)
    assert reason == book.entries_blocked(T0, 0) and "trades today" in reason
    assert until == (T0 // DAY + 1) * DAY
    assert book.entries_blocked(until - 1, 0) == reason and book.entries_blocked(until, 0) is None


def test_the_hourly_cap_lasts_until_its_oldest_entry_leaves_the_window() -> None:
    book = RiskBook(replace(LIMITS, max_trades_per_hour=2))
    book.record_entry("ETHUSDT", T0)
    book.record_entry("ETHUSDT", T0 + 10 * MINUTE)
    reason, until = book.entries_blocked_until(T0 + 20 * MINUTE, 0) or ("", 0)
    assert "last 60 min" in reason and until == T0 + HOUR
    assert book.entries_blocked(until - 1, 0) == reason and book.entries_blocked(until, 0) is None


def test_the_daily_loss_limit_lasts_until_the_next_day_and_an_open_position_or_none_has_no_end() -> None:
    book = RiskBook(LIMITS)
    book.record_exit(trade(-3.5, T0), T0)
    reason, until = book.entries_blocked_until(T0 + MINUTE, 0) or ("", 0)
    assert "daily loss limit" in reason and until == (T0 // DAY + 1) * DAY
    assert book.entries_blocked_until(T0 + MINUTE, 1) is None  # a position must close first: an event
    assert RiskBook(LIMITS).entries_blocked_until(T0, 0) is None  # nothing blocks


def test_the_kill_switch_is_no_block_that_time_lifts() -> None:
    book = RiskBook(LIMITS)
    assert book.update_equity(20.0, T0)
    assert book.entries_blocked(T0, 0) is not None and book.entries_blocked_until(T0, 0) is None
