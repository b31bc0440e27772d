"""Performance statistics of completed trades (spec 4.9) and the periodic stats line (spec 4.8).

Every PnL is net of the fees paid on both legs (CompletedTrade.pnl_usdt). Undefined figures are NaN
(an average of nothing, a win rate of no trades), never a ZeroDivisionError.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from domain.position import CompletedTrade
from domain.time_units import DAY_MS

DAYS_PER_YEAR = 365  # crypto trades every day
_EXIT_THEN_ENTRY = attrgetter("exit_time_ms", "entry_time_ms")  # the sort key, without a Python call a trade


@dataclass(frozen=True, slots=True)
class TradingStats:
    """Units: *_usdt in USDT; *_percent in percent (4.1 = 4.1%); win_rate a fraction (0.667)."""

    total_trades: int
    winning_trades: int  # net PnL > 0
    losing_trades: int  # net PnL <= 0: a break-even trade after fees earned nothing
    win_rate: float
    total_pnl_usdt: float
    total_pnl_percent: float  # of initial capital
    avg_win_usdt: float
    avg_loss_usdt: float  # negative or zero
    profit_factor: float  # gross profit / gross loss; inf with no loss, NaN with neither
    max_drawdown_percent: float  # on the equity curve of closed trades, from its running peak
    avg_trade_duration_sec: float
    best_trade_pnl: float
    worst_trade_pnl: float
    sharpe_ratio: float  # annualised; NaN with fewer than 2 trades or no variation
    total_fees_usdt: float
    initial_capital: float


def compute_stats(trades: Iterable[CompletedTrade], initial_capital: float) -> TradingStats:
    """Statistics of `trades` (any order: they are sorted by exit time) for an account that started
    with `initial_capital` USDT."""
    if not (math.isfinite(initial_capital) and initial_capital > 0):
        raise ValueError(f"initial_capital must be a finite positive number, got {initial_capital!r}")
    ordered = sorted(trades, key=_EXIT_THEN_ENTRY)
    pnls = [t.pnl_usdt for t in ordered]
    wins = [p for p in pnls if p > 0]
    losses = [p for p in pnls if p <= 0]
    gross_profit, gross_loss = sum(wins), -sum(losses)
    total = sum(pnls)
    return TradingStats(
        total_trades=len(ordered), winning_trades=len(wins), losing_trades=len(losses),
        win_rate=len(wins) / len(ordered) if ordered else math.nan,
        total_pnl_usdt=total, total_pnl_percent=total / initial_capital * 100,
        avg_win_usdt=_mean(wins), avg_loss_usdt=_mean(losses),
        profit_factor=_ratio(gross_profit, gross_loss),
        max_drawdown_percent=_max_drawdown_percent(pnls, initial_capital),
        avg_trade_duration_sec=_mean([t.duration_sec for t in ordered]),
        best_trade_pnl=max(pnls, default=math.nan), worst_trade_pnl=min(pnls, default=math.nan),
        sharpe_ratio=_sharpe(ordered, pnls, initial_capital),
        total_fees_usdt=sum(t.fees_usdt for t in ordered), initial_capital=initial_capital,
    )


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def _ratio(gross_profit: float, gross_loss: float) -> float:
    if gross_loss > 0:
        return gross_profit / gross_loss
    return math.inf if gross_profit > 0 else math.nan


def _max_drawdown_percent(pnls: list[float], initial_capital: float) -> float:
    equity = peak = initial_capital
    worst = 0.0
    for pnl in pnls:
        equity += pnl
        peak = max(peak, equity)
        worst = max(worst, (peak - equity) / peak)
    return worst * 100


def _sharpe(ordered: list[CompletedTrade], pnls: list[float], initial_capital: float) -> float:
    """Mean over standard deviation of per-trade returns on the equity before each trade, scaled by
    sqrt(trades per year). Trades per year = trades per day x 365, where the span (first entry to last
    exit) is counted as at least one day, so a burst of trades in a few minutes is not annualised as if
    the bot traded like that all year."""
    if len(ordered) < 2:
        return math.nan
    returns: list[float] = []
    equity = initial_capital
    for pnl in pnls:  # each trade's pnl_usdt, in the same order
        if equity <= 0:
            return math.nan  # the account is gone: a return on it means nothing
        returns.append(pnl / equity)
        equity += pnl
    deviation = statistics.stdev(returns)
    if not deviation > 0:
        return math.nan
    span_days = (ordered[-1].exit_time_ms - min(t.entry_time_ms for t in ordered)) / DAY_MS
    trades_per_year = len(ordered) / max(span_days, 1.0) * DAYS_PER_YEAR
    return statistics.fmean(returns) / deviation * math.sqrt(trades_per_year)


def _signed(value: float, decimals: int) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.{decimals}f}"


def format_stats_line(stats: TradingStats, daily_pnl: float, day_start_capital: float | None = None,
                      quote_asset: str = "USDT") -> str:
    """The periodic log line, e.g. `Stats: trades=15 | wins=10 (66.7%) | PnL today=+1.23 USDT (+4.1%) |
    total=+2.50 USDT (+8.3%) | PF=1.85 | max DD=3.2% | fees=0.40 USDT`. Today's percent is of the capital
    at the start of the day when given, else of the initial capital. Amounts are in `quote_asset`."""
    base = day_start_capital if day_start_capital is not None and day_start_capital > 0 \
        else stats.initial_capital
    win_rate = "n/a" if math.isnan(stats.win_rate) else f"{stats.win_rate:.1%}"
    profit_factor = "n/a" if math.isnan(stats.profit_factor) else f"{stats.profit_factor:.2f}"
    return (f"Stats: trades={stats.total_trades} | wins={stats.winning_trades} ({win_rate}) | "
            f"PnL today={_signed(daily_pnl, 2)} {quote_asset} ({_signed(daily_pnl / base * 100, 1)}%) | "
            f"total={_signed(stats.total_pnl_usdt, 2)} {quote_asset} "
            f"({_signed(stats.total_pnl_percent, 1)}%) | "
            f"PF={profit_factor} | max DD={stats.max_drawdown_percent:.1f}% | "
            f"fees={stats.total_fees_usdt:.2f} {quote_asset}")
