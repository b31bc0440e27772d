"""RiskBook: sizing (spec 6.1, 10.1), trade limits, daily loss limit at 00:00 UTC, sticky kill switch."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from domain.position import CompletedTrade, ExitReason
from domain.risk import Approved, Rejected, RiskBook, RiskLimits, TradeIntent

DAY = 86_400_000
HOUR = 3_600_000
MINUTE = 60_000
T0 = 19_700 * DAY + 10 * HOUR  # 10:00 UTC on some day

LIMITS = RiskLimits(initial_capital=30.0, max_position_pct=0.20, min_position_usdt=5.0,
                    max_loss_per_trade_pct=0.02, max_daily_loss_pct=0.10, max_drawdown_pct=0.25,
                    max_open_positions=1, max_trades_per_hour=20, max_trades_per_day=100)


def intent(symbol: str = "ETHUSDT", entry: float = 100.0, stop: float = 99.6, min_notional: float = 5.0,
           time_ms: int = T0) -> TradeIntent:
    return TradeIntent(symbol, entry, stop, min_notional, time_ms)


def trade(pnl: float, exit_ms: int, symbol: str = "ETHUSDT") -> CompletedTrade:
    """A trade whose net PnL is `pnl` (no fees, 1 unit bought at 100)."""
    return CompletedTrade(symbol, 100.0, 100.0 + pnl, 1.0, exit_ms - MINUTE, exit_ms, 0.0,
                          ExitReason.TP if pnl > 0 else ExitReason.SL)


# -- sizing ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stop", [99.99, 99.9, 99.6, 99.0, 95.0, 80.0])
@pytest.mark.parametrize("capital", [30.0, 100.0, 1000.0])
def test_size_never_exceeds_max_position_pct_of_capital(capital: float, stop: float) -> None:
    size = RiskBook(LIMITS).position_size(capital, 100.0, stop)
    assert size <= capital * LIMITS.max_position_pct


def test_size_is_the_capital_share_when_the_stop_is_tight() -> None:
    # 0.4% stop: risk sizing allows 0.6 / 0.004 = 150 USDT, the 20% share caps it at 6.
    assert RiskBook(LIMITS).position_size(30.0, 100.0, 99.6) == pytest.approx(6.0)


def test_size_is_the_risk_budget_when_the_stop_is_wide() -> None:
    # 2% of 1000 = 20 USDT at risk; with a 20% stop that is a 100 USDT position, under the 200 USDT share.
    book = RiskBook(LIMITS)
    assert book.position_size(1000.0, 100.0, 80.0) == pytest.approx(20.0 / 0.20)
    assert book.position_size(1000.0, 100.0, 80.0) < 1000.0 * 0.20


def test_size_below_min_position_usdt_is_zero_and_rejected_with_reason() -> None:
    book = RiskBook(LIMITS)
    assert book.position_size(20.0, 100.0, 99.6) == 0.0  # 20% of 20 = 4 < 5
    decision = book.check(intent(), T0, capital=20.0, open_symbols=())
    assert isinstance(decision, Rejected)
    assert "below the minimum 5.00" in decision.reason


def test_size_below_the_pairs_min_notional_is_rejected() -> None:
    book = RiskBook(LIMITS)
    assert book.position_size(30.0, 100.0, 99.6, Decimal("10")) == 0.0  # 6 USDT < min notional 10
    assert book.position_size(30.0, 100.0, 99.6, Decimal("6")) == pytest.approx(6.0)  # exactly at it: ok
    decision = book.check(intent(min_notional=10.0), T0, 30.0, ())
    assert isinstance(decision, Rejected) and "10.00" in decision.reason


@pytest.mark.parametrize(("entry", "stop"), [(100.0, 100.0), (100.0, 101.0), (100.0, 0.0), (0.0, -1.0),
                                             (float("nan"), 99.0), (100.0, float("nan"))])
def test_a_stop_not_strictly_below_a_positive_entry_is_rejected(entry: float, stop: float) -> None:
    decision = RiskBook(LIMITS).check(intent(entry=entry, stop=stop), T0, 30.0, ())
    assert isinstance(decision, Rejected) and "stop_loss < entry" in decision.reason


@pytest.mark.parametrize("capital", [0.0, -5.0, float("nan"), float("inf")])
def test_no_capital_no_trade(capital: float) -> None:
    assert isinstance(RiskBook(LIMITS).check(intent(), T0, capital, ()), Rejected)


def test_an_ordinary_intent_is_approved_with_its_size() -> None:
    decision = RiskBook(LIMITS).check(intent(), T0, 30.0, ())
    assert isinstance(decision, Approved) and decision.size_usdt == pytest.approx(6.0)


# -- positions and trade counts -------------------------------------------------------------------------
def test_one_position_per_pair_and_max_open_positions() -> None:
    book = RiskBook(replace(LIMITS, max_open_positions=2))
    same_pair = book.check(intent("ETHUSDT"), T0, 30.0, {"ETHUSDT"})
    assert isinstance(same_pair, Rejected) and "already open on ETHUSDT" in same_pair.reason
    assert isinstance(book.check(intent("ETHUSDT"), T0, 30.0, {"BTCUSDT"}), Approved)
    full = book.check(intent("ETHUSDT"), T0, 30.0, {"BTCUSDT", "SOLUSDT"})
    assert isinstance(full, Rejected) and "maximum is 2" in full.reason


def test_hourly_limit_is_a_sliding_window() -> None:
    book = RiskBook(replace(LIMITS, max_trades_per_hour=3))
    for minute in (0, 10, 20):
        book.record_entry("ETHUSDT", T0 + minute * MINUTE)
    at_59 = book.check(intent(), T0 + 59 * MINUTE, 30.0, ())
    assert isinstance(at_59, Rejected) and "last 60 min" in at_59.reason
    # The first entry leaves the window exactly one hour after it; a clock-hour reset would not free it.
    assert isinstance(book.check(intent(), T0 + HOUR - 1, 30.0, ()), Rejected)
    assert isinstance(book.check(intent(), T0 + HOUR, 30.0, ()), Approved)
    book.record_entry("ETHUSDT", T0 + HOUR)
    assert isinstance(book.check(intent(), T0 + HOUR + 5 * MINUTE, 30.0, ()), Rejected)
    assert isinstance(book.check(intent(), T0 + HOUR + 10 * MINUTE, 30.0, ()), Approved)


def test_daily_trade_limit_resets_at_midnight_utc() -> None:
    book = RiskBook(replace(LIMITS, max_trades_per_day=2, max_trades_per_hour=100))
    late = (T0 // DAY + 1) * DAY - 10 * MINUTE  # 23:50 UTC
    book.record_entry("ETHUSDT", late - HOUR * 5)
    book.record_entry("ETHUSDT", late)
    before = book.check(intent(), late + 9 * MINUTE, 30.0, ())
    assert isinstance(before, Rejected) and "trades today" in before.reason
    assert book.trades_today(late + 10 * MINUTE) == 0  # 00:00:00.000 UTC
    assert isinstance(book.check(intent(), late + 10 * MINUTE, 30.0, ()), Approved)


# -- cooldown after an exit (freqtrade's CooldownPeriod) -------------------------------------------------
def test_a_pair_just_exited_cools_down_and_the_others_do_not() -> None:
    book = RiskBook(replace(LIMITS, cooldown_ms=300_000))
    book.record_exit(trade(-0.1, T0, "ETHUSDT"), T0 + 5)
    refused = book.check(intent("ETHUSDT"), T0 + 12_000, 30.0, ())
    assert isinstance(refused, Rejected)
    assert refused.reason == "cooldown: ETHUSDT exited 12 s ago (300 s)"
    assert isinstance(book.check(intent("BTCUSDT"), T0 + 12_000, 30.0, ()), Approved)
    assert isinstance(book.check(intent("ETHUSDT"), T0 + 300_000 - 1, 30.0, ()), Rejected)
    assert isinstance(book.check(intent("ETHUSDT"), T0 + 300_000, 30.0, ()), Approved)  # from its exit time


def test_the_latest_exit_of_a_pair_starts_its_cooldown_and_zero_turns_it_off() -> None:
    book = RiskBook(replace(LIMITS, cooldown_ms=60_000))
    book.record_exit(trade(0.1, T0 + MINUTE), T0 + MINUTE)
    book.record_exit(trade(0.1, T0), T0 + MINUTE)  # an older trade journaled late does not shorten it
    assert isinstance(book.check(intent(), T0 + 2 * MINUTE - 1, 30.0, ()), Rejected)
    assert isinstance(book.check(intent(), T0 + 2 * MINUTE, 30.0, ()), Approved)
    off = RiskBook(LIMITS)
    off.record_exit(trade(0.1, T0), T0)
    assert isinstance(off.check(intent(), T0, 30.0, ()), Approved)


def test_the_cooldown_survives_a_restart_and_an_older_snapshot_has_none() -> None:
    book = RiskBook(replace(LIMITS, cooldown_ms=300_000))
    book.record_exit(trade(0.1, T0), T0)
    restored = RiskBook.from_dict(book.limits, json.loads(json.dumps(book.to_dict())))
    assert isinstance(restored.check(intent(), T0 + MINUTE, 30.0, ()), Rejected)
    older = {k: v for k, v in book.to_dict().items() if k != "exits_ms"}
    assert isinstance(RiskBook.from_dict(book.limits, older).check(intent(), T0 + MINUTE, 30.0, ()), Approved)


# -- daily loss limit -----------------------------------------------------------------------------------
def test_daily_loss_limit_stops_trading_until_midnight_utc() -> None:
    book = RiskBook(LIMITS)  # 10% of 30 = 3 USDT
    book.record_exit(trade(-1.5, T0), T0)
    assert isinstance(book.check(intent(), T0, 28.5, ()), Approved)
    book.record_exit(trade(-1.5, T0 + MINUTE), T0 + MINUTE)
    assert book.daily_pnl(T0 + MINUTE) == pytest.approx(-3.0)
    stopped = book.check(intent(), T0 + 2 * MINUTE, 27.0, ())
    assert isinstance(stopped, Rejected) and "daily loss limit" in stopped.reason
    last_ms_of_day = (T0 // DAY + 1) * DAY - 1
    assert isinstance(book.check(intent(), last_ms_of_day, 27.0, ()), Rejected)
    assert book.daily_pnl(last_ms_of_day + 1) == 0.0
    assert isinstance(book.check(intent(), last_ms_of_day + 1, 27.0, ()), Approved)


def test_daily_loss_limit_is_measured_against_capital_at_the_start_of_the_utc_day() -> None:
    book = RiskBook(LIMITS)
    book.update_equity(50.0, T0)  # the account grew to 50 yesterday
    next_day = (T0 // DAY + 1) * DAY + HOUR
    assert book.day_start_capital(next_day) == pytest.approx(50.0)
    book.record_exit(trade(-4.0, next_day), next_day)  # -4 < 5 = 10% of 50, though > 3 = 10% of 30
    assert isinstance(book.check(intent(), next_day, 46.0, ()), Approved)
    book.record_exit(trade(-1.0, next_day + MINUTE), next_day + MINUTE)
    assert isinstance(book.check(intent(), next_day + MINUTE, 45.0, ()), Rejected)


def test_a_trade_closed_on_a_past_day_does_not_count_today() -> None:
    book = RiskBook(LIMITS)
    book.record_exit(trade(-5.0, T0 - DAY), T0)
    assert book.daily_pnl(T0) == 0.0


# -- kill switch ----------------------------------------------------------------------------------------
def test_kill_switch_fires_when_capital_goes_from_30_to_22() -> None:
    book = RiskBook(LIMITS)
    assert book.update_equity(30.0, T0) is False
    assert book.update_equity(22.0, T0 + MINUTE) is True  # -26.7% from the peak of 30
    assert book.kill_switch_active


def test_kill_switch_measures_drawdown_from_the_peak_not_the_start() -> None:
    book = RiskBook(LIMITS)
    book.update_equity(40.0, T0)
    assert book.update_equity(30.5, T0 + 1) is False  # -23.75%
    assert book.update_equity(30.0, T0 + 2) is True  # -25% exactly reaches the limit
    assert "drawdown 25.0%" in (book.kill_switch_reason or "")


def test_kill_switch_is_sticky_refuses_everything_and_fires_once() -> None:
    book = RiskBook(LIMITS)
    book.update_equity(22.0, T0)
    assert book.update_equity(21.0, T0 + 1) is False  # already active: not "just fired"
    assert book.update_equity(35.0, T0 + 2) is False  # a recovery does not clear it
    assert book.kill_switch_active
    next_week = T0 + 7 * DAY  # nor does a new day
    decision = book.check(intent(), next_week, 35.0, ())
    assert isinstance(decision, Rejected) and "kill switch" in decision.reason
    book.reset_kill_switch()
    assert not book.kill_switch_active
    assert isinstance(book.check(intent(), next_week, 35.0, ()), Approved)
    assert book.update_equity(30.0, next_week) is False  # measured from 35 now: -14%


def test_non_finite_equity_is_refused() -> None:
    with pytest.raises(ValueError, match="equity"):
        RiskBook(LIMITS).update_equity(float("nan"), T0)


# -- persistence ----------------------------------------------------------------------------------------
def test_snapshot_round_trip_keeps_todays_counts_peak_and_kill_switch() -> None:
    book = RiskBook(replace(LIMITS, max_trades_per_hour=2))
    book.update_equity(36.0, T0)
    book.record_entry("ETHUSDT", T0)
    book.record_entry("BTCUSDT", T0 + MINUTE)
    book.record_exit(trade(-1.0, T0 + 2 * MINUTE), T0 + 2 * MINUTE)
    restored = RiskBook.from_dict(book.limits, json.loads(json.dumps(book.to_dict())))
    now = T0 + 3 * MINUTE
    assert restored.trades_today(now) == 2
    assert restored.daily_pnl(now) == pytest.approx(-1.0)
    assert restored.peak_equity == 36.0
    assert isinstance(restored.check(intent(), now, 30.0, ()), Rejected)  # hourly window restored too
    assert restored.update_equity(27.0, now) is True  # -25% from the restored peak of 36


def test_snapshot_from_a_past_day_rolls_over() -> None:
    book = RiskBook(LIMITS)
    book.record_entry("ETHUSDT", T0)
    restored = RiskBook.from_dict(LIMITS, book.to_dict())
    assert restored.trades_today(T0 + DAY) == 0


@pytest.mark.parametrize("data", [{}, {"version": 99}, {"version": 1, "peak_equity": "x"}])
def test_a_malformed_snapshot_is_refused_clearly(data: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="snapshot"):
        RiskBook.from_dict(LIMITS, data)


@pytest.mark.parametrize("change", [{"max_drawdown_pct": 1.5}, {"initial_capital": 0.0},
                                    {"max_open_positions": 0}, {"min_position_usdt": -1.0},
                                    {"cooldown_ms": -1}])
def test_limits_refuse_nonsense(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="RiskLimits"):
        replace(LIMITS, **change)


def test_the_capital_and_every_amount_are_in_the_quote_asset() -> None:
    book = RiskBook(replace(LIMITS, quote_asset="USDC"))
    refused = book.check(intent("ETHUSDC"), T0, 10.0, ())
    assert isinstance(refused, Rejected)
    assert "USDC" in refused.reason and "USDT" not in refused.reason.replace("ETHUSDC", "")


# -- entries blocked whatever the signal (the loop's scan is skipped then) --------------------------------
def test_entries_are_blocked_exactly_when_every_intent_is_refused_for_the_same_reason() -> None:
    book = RiskBook(replace(LIMITS, max_open_positions=2, max_trades_per_day=2, max_trades_per_hour=100))
    assert book.entries_blocked(T0, 0) is None and book.entries_blocked(T0, 1) is None
    full = book.check(intent("BTCUSDT"), T0, 30.0, ("ETHUSDT", "SOLUSDT"))
    assert isinstance(full, Rejected) and book.entries_blocked(T0, 2) == full.reason
    book.record_entry("ETHUSDT", T0)
    book.record_entry("SOLUSDT", T0 + MINUTE)
    capped = book.check(intent("BTCUSDT", stop=90.0, min_notional=0.0), T0 + 2 * MINUTE, 1e6, ())
    assert isinstance(capped, Rejected) and "2 trades today" in capped.reason
    assert book.entries_blocked(T0 + 2 * MINUTE, 0) == capped.reason
    assert book.entries_blocked(T0 + DAY, 0) is None  # a new UTC day
    book.update_equity(20.0, T0 + DAY)  # the kill switch: first, whatever else holds
    killed = book.check(intent(), T0 + DAY, 20.0, ())
    assert isinstance(killed, Rejected) and book.entries_blocked(T0 + DAY, 0) == killed.reason


def test_a_refusal_of_size_or_capital_does_not_block_every_entry() -> None:
    book = RiskBook(LIMITS)
    small = book.check(intent(min_notional=50.0), T0, 30.0, ())
    assert isinstance(small, Rejected) and book.entries_blocked(T0, 0) is None
