"""The figures a backtest prints and reports, and the side-by-side table of a run and its baselines.

PnL is net of every fee (CompletedTrade.pnl_usdt). Max drawdown is taken on the marked equity curve
(open positions at the last price seen), so it also counts a loss that was later recovered within a
trade. Exposure is the share of the backtest's time with at least one position open. Fill rates and
fees paid per asset come from the simulator (the caller passes them in).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from application.backtest.replay import BacktestRun, RiskEvent
from domain.stats import compute_stats
from domain.time_units import DAY_MS

NO_EV_REASON = "no trade: the model found no positive expected value after costs"
_ENTRY_TIME = attrgetter("entry_time_ms")


@dataclass(frozen=True)
class BacktestSummary:
    name: str
    trades: int
    win_rate: float  # fraction
    pnl_usdt: float
    pnl_pct: float  # of the initial capital
    profit_factor: float
    max_drawdown_pct: float
    sharpe: float
    exposure_pct: float
    trades_per_day: float
    fees_usdt: float
    days: float
    initial_capital: float
    final_equity: float
    events: tuple[RiskEvent, ...] = ()
    fill_rates: Mapping[str, float] = field(default_factory=dict)
    fees_paid: Mapping[str, float] = field(default_factory=dict)  # per asset, from the simulator
    no_trade_reason: str | None = None
    stopped_reason: str | None = None
    dust_usdt: float = 0.0  # base left unsold by lot steps and minimums, at market (counted in equity)
    dust_cost_usdt: float = 0.0  # what that dust cost: equity = capital + trades' PnL + dust - its cost


def max_drawdown_pct(equity: Sequence[tuple[int, float]]) -> float:
    """The deepest fall below the running peak, in percent. Plain comparisons instead of `max()` (the
    curve has a mark a minute): a new peak is no fall, and a NaN mark moves neither figure."""
    peak, worst = -math.inf, 0.0
    for _, value in equity:
        if value > peak:
            peak = value
        elif peak > 0:
            fall = (peak - value) / peak
            if fall > worst:
                worst = fall
    return worst * 100


def exposure_pct(run: BacktestRun) -> float:
    """Share of [start, end) covered by the union of the trades' [entry, exit] intervals."""
    span = run.end_ms - run.start_ms
    if span <= 0:
        return 0.0
    covered, reach = 0, run.start_ms
    for trade in sorted(run.trades, key=_ENTRY_TIME):
        begin, end = max(trade.entry_time_ms, reach), min(trade.exit_time_ms, run.end_ms)
        if end > begin:
            covered += end - begin
        reach = max(reach, end)
    return covered / span * 100


def summarize(run: BacktestRun, *, fill_rates: Mapping[str, float] | None = None,
              fees_paid: Mapping[str, float] | None = None,
              no_trade_reason: str | None = None) -> BacktestSummary:
    stats = compute_stats(run.trades, run.initial_capital)
    days = max((run.end_ms - run.start_ms) / DAY_MS, 0.0)
    final = run.equity[-1][1] if run.equity else run.initial_capital
    reason = no_trade_reason if not run.trades else None
    return BacktestSummary(
        name=run.name, trades=stats.total_trades, win_rate=stats.win_rate, pnl_usdt=stats.total_pnl_usdt,
        pnl_pct=stats.total_pnl_percent, profit_factor=stats.profit_factor,
        max_drawdown_pct=max(max_drawdown_pct(run.equity), stats.max_drawdown_percent),
        sharpe=stats.sharpe_ratio, exposure_pct=exposure_pct(run),
        trades_per_day=stats.total_trades / days if days > 0 else math.nan, fees_usdt=stats.total_fees_usdt,
        days=days, initial_capital=run.initial_capital, final_equity=final, events=run.events,
        fill_rates=dict(fill_rates or {}), fees_paid=dict(fees_paid or {}), no_trade_reason=reason,
        stopped_reason=run.stopped_reason)


def iso_minute(time_ms: int) -> str:
    return datetime.fromtimestamp(time_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def _num(value: float, spec: str, suffix: str = "") -> str:
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "inf"
    return f"{value:{spec}}{suffix}"


ROWS: tuple[tuple[str, str], ...] = (
    ("trades", "trades"), ("win rate", "win_rate"), ("PnL after fees (USDT)", "pnl_usdt"),
    ("PnL after fees (%)", "pnl_pct"), ("profit factor", "profit_factor"),
    ("max drawdown", "max_drawdown_pct"), ("Sharpe (annualised)", "sharpe"), ("exposure", "exposure_pct"),
    ("trades a day", "trades_per_day"), ("fees paid (USDT)", "fees_usdt"),
    ("final equity (USDT)", "final_equity"), ("dust left (USDT)", "dust_usdt"),
    ("dust cost (USDT)", "dust_cost_usdt"),
)


def cell(summary: BacktestSummary, attribute: str) -> str:
    value = getattr(summary, attribute)
    formats = {"trades": ("d", ""), "win_rate": (".1%", ""), "pnl_usdt": ("+.4f", ""),
               "pnl_pct": ("+.2f", "%"), "profit_factor": (".2f", ""), "max_drawdown_pct": (".2f", "%"),
               "sharpe": (".2f", ""), "exposure_pct": (".2f", "%"), "trades_per_day": (".1f", ""),
               "fees_usdt": (".4f", ""), "final_equity": (".4f", ""), "dust_usdt": (".4f", ""),
               "dust_cost_usdt": (".4f", "")}
    spec, suffix = formats[attribute]
    return str(value) if spec == "d" else _num(float(value), spec, suffix)


def side_by_side(summaries: Sequence[BacktestSummary], quote: str = "USDT") -> str:
    """A plain-text table: one column per run (the model first, then the baselines); amounts in `quote`,
    the run's quote asset."""
    width = max(14, *(len(s.name) + 2 for s in summaries))
    lines = [f"{'':<24}" + "".join(f"{s.name:>{width}}" for s in summaries)]
    for label, attribute in ROWS:
        label = label.replace("(USDT)", f"({quote})")
        lines.append(f"{label:<24}" + "".join(f"{cell(s, attribute):>{width}}" for s in summaries))
    lines.extend(f"fill rates [{name}]: {rates}; fees paid: {fees or 'none'}"
                 for name, rates, fees in costs_rows(summaries))
    lines.extend(f"- {note}" for note in notes(summaries))
    return "\n".join(lines)


def table_rows(summaries: Sequence[BacktestSummary]) -> list[tuple[str, list[str]]]:
    return [(label, [cell(s, attribute) for s in summaries]) for label, attribute in ROWS]


def notes(summaries: Sequence[BacktestSummary]) -> list[str]:
    """Risk events and why a run did not trade, one sentence each."""
    found = [f"{s.name}: {e.kind} at {iso_minute(e.time_ms)}: {e.detail}"
             for s in summaries for e in s.events]
    return found + [f"{s.name}: {s.no_trade_reason}" for s in summaries if s.no_trade_reason]


def costs_rows(summaries: Sequence[BacktestSummary]) -> list[tuple[str, str, str]]:
    """(run, fill rates, fees paid per asset) as text."""
    def rate(value: float) -> str:
        return "n/a" if math.isnan(value) else f"{value:.1%}"

    return [(s.name, ", ".join(f"{k} {rate(v)}" for k, v in s.fill_rates.items()),
             ", ".join(f"{v:.8g} {k}" for k, v in s.fees_paid.items())) for s in summaries]


def summary_record(summary: BacktestSummary) -> dict[str, Any]:
    """JSON-ready figures (NaN and infinity as None), events with readable times."""
    record: dict[str, Any] = dataclasses.asdict(summary)
    record["events"] = [{"time": iso_minute(e.time_ms), "time_ms": e.time_ms, "kind": e.kind,
                         "detail": e.detail} for e in summary.events]
    return {k: _json_ready(v) for k, v in record.items()}


def _json_ready(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    return value
