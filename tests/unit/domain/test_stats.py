"""TradingStats (spec 4.9) and the stats line (spec 4.8)."""

from __future__ import annotations

import math
import statistics

import pytest

from domain.position import CompletedTrade, ExitReason
from domain.stats import compute_stats, format_stats_line

DAY = 86_400_000
T0 = 1_700_000_000_000


def trade(pnl: float, exit_ms: int, *, fees: float = 0.0, hold_ms: int = 60_000) -> CompletedTrade:
    """1 unit bought at 10 and sold so that the net PnL after `fees` is `pnl`."""
    return CompletedTrade("ETHUSDT", 10.0, 10.0 + pnl + fees, 1.0, exit_ms - hold_ms, exit_ms, fees,
                          ExitReason.TP if pnl > 0 else ExitReason.SL)


def test_no_trades_gives_zeros_and_nans_never_an_error() -> None:
    stats = compute_stats([], 30.0)
    assert (stats.total_trades, stats.winning_trades, stats.losing_trades) == (0, 0, 0)
    assert stats.total_pnl_usdt == 0.0 and stats.max_drawdown_percent == 0.0
    for undefined in (stats.win_rate, stats.avg_win_usdt, stats.avg_loss_usdt, stats.profit_factor,
                      stats.avg_trade_duration_sec, stats.best_trade_pnl, stats.worst_trade_pnl,
                      stats.sharpe_ratio):
        assert math.isnan(undefined)


def test_counts_rates_averages_and_extremes() -> None:
    trades = [trade(0.3, T0 + 1000, fees=0.02, hold_ms=30_000), trade(-0.2, T0 + 2000, fees=0.02),
              trade(0.1, T0 + 3000, fees=0.02, hold_ms=90_000), trade(-0.4, T0 + 4000, fees=0.02)]
    stats = compute_stats(trades, 30.0)
    assert (stats.total_trades, stats.winning_trades, stats.losing_trades) == (4, 2, 2)
    assert stats.win_rate == pytest.approx(0.5)
    assert stats.total_pnl_usdt == pytest.approx(-0.2)
    assert stats.total_pnl_percent == pytest.approx(-0.2 / 30 * 100)
    assert stats.avg_win_usdt == pytest.approx(0.2)
    assert stats.avg_loss_usdt == pytest.approx(-0.3)
    assert stats.profit_factor == pytest.approx(0.4 / 0.6)
    assert stats.best_trade_pnl == pytest.approx(0.3) and stats.worst_trade_pnl == pytest.approx(-0.4)
    assert stats.avg_trade_duration_sec == pytest.approx((30 + 60 + 90 + 60) / 4)
    assert stats.total_fees_usdt == pytest.approx(0.08)


def test_pnl_is_net_of_fees_so_a_gross_win_eaten_by_fees_is_a_loss() -> None:
    gross_win_net_loss = CompletedTrade("ETHUSDT", 10.0, 10.01, 1.0, T0, T0 + 1000, 0.02, ExitReason.TP)
    stats = compute_stats([gross_win_net_loss], 30.0)
    assert stats.winning_trades == 0 and stats.losing_trades == 1
    assert stats.total_pnl_usdt == pytest.approx(-0.01)


def test_profit_factor_without_losses_is_infinite_and_without_anything_nan() -> None:
    assert compute_stats([trade(0.5, T0)], 30.0).profit_factor == math.inf
    assert math.isnan(compute_stats([trade(0.0, T0)], 30.0).profit_factor)


def test_max_drawdown_on_the_closed_trade_equity_curve_in_exit_order() -> None:
    # Given out of order on purpose: by exit time the curve is 30 -> 36 -> 33 -> 30 -> 40 -> 38.
    trades = [trade(10.0, T0 + 4), trade(6.0, T0 + 1), trade(-3.0, T0 + 3), trade(-3.0, T0 + 2),
              trade(-2.0, T0 + 5)]
    stats = compute_stats(trades, 30.0)
    assert stats.max_drawdown_percent == pytest.approx(6.0 / 36.0 * 100)


def test_drawdown_counts_from_the_initial_capital_when_the_first_trade_loses() -> None:
    assert compute_stats([trade(-3.0, T0)], 30.0).max_drawdown_percent == pytest.approx(10.0)


def test_sharpe_annualises_per_trade_returns_by_trades_per_day() -> None:
    pnls = [0.3, -0.1, 0.2, 0.1]
    trades = [trade(p, T0 + (i + 1) * DAY, hold_ms=60_000) for i, p in enumerate(pnls)]
    equity, returns = 30.0, []
    for p in pnls:
        returns.append(p / equity)
        equity += p
    span_days = (trades[-1].exit_time_ms - trades[0].entry_time_ms) / DAY
    expected = statistics.mean(returns) / statistics.stdev(returns) * math.sqrt(4 / span_days * 365)
    assert compute_stats(trades, 30.0).sharpe_ratio == pytest.approx(expected)


def test_sharpe_of_a_burst_is_annualised_as_one_day_at_least() -> None:
    pnls = [0.3, -0.1, 0.2]
    burst = [trade(p, T0 + i * 1000) for i, p in enumerate(pnls)]
    exits = (T0, T0 + DAY // 4, T0 - 60_000 + DAY)  # first entry (T0 - 1 min) to last exit: one day
    spread = [trade(p, exit_ms) for p, exit_ms in zip(pnls, exits, strict=True)]
    assert compute_stats(burst, 30.0).sharpe_ratio == pytest.approx(compute_stats(spread, 30.0).sharpe_ratio)


@pytest.mark.parametrize("pnls", [[0.2], [0.0, 0.0, 0.0]])
def test_sharpe_is_nan_without_two_trades_or_without_variation(pnls: list[float]) -> None:
    trades = [trade(p, T0 + i * DAY) for i, p in enumerate(pnls)]
    assert math.isnan(compute_stats(trades, 30.0).sharpe_ratio)


@pytest.mark.parametrize("capital", [0.0, -1.0, float("nan")])
def test_initial_capital_must_be_positive(capital: float) -> None:
    with pytest.raises(ValueError, match="initial_capital"):
        compute_stats([trade(1.0, T0)], capital)


def test_stats_line_in_the_spec_style() -> None:
    trades = [trade(0.5, T0 + i) for i in range(10)] + [trade(-0.5, T0 + 100 + i) for i in range(5)]
    line = format_stats_line(compute_stats(trades, 30.0), daily_pnl=1.23)
    assert line.startswith("Stats: trades=15 | wins=10 (66.7%) | PnL today=+1.23 USDT (+4.1%) | "
                           "total=+2.50 USDT (+8.3%)")
    assert "PF=2.00" in line and "fees=0.00 USDT" in line


def test_stats_line_uses_the_day_start_capital_and_survives_no_trades() -> None:
    line = format_stats_line(compute_stats([], 30.0), daily_pnl=-2.0, day_start_capital=40.0)
    assert "trades=0 | wins=0 (n/a) | PnL today=-2.00 USDT (-5.0%)" in line
    assert "PF=n/a" in line


def test_the_stats_line_counts_in_the_quote_asset() -> None:
    line = format_stats_line(compute_stats([], 30.0), daily_pnl=1.0, quote_asset="FDUSD")
    assert "PnL today=+1.00 FDUSD" in line and line.endswith("fees=0.00 FDUSD") and "USDT" not in line
