"""Where a run's money came from: per pair, per exit reason, per month; its trade returns; the signals the
risk book refused, by reason, and the plain sentence when the account became too small to trade.

Figures are net of fees (CompletedTrade.pnl_usdt). Rows come out as text cells, ready for any report.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from application.backtest.refusals import CAPITAL_KINDS, Refusal, kind_label
from application.backtest.summary import iso_minute
from domain.position import CompletedTrade

Row = list[str]
GROUP_HEADER = ["run", "", "trades", "win rate", "net PnL (USDT)", "mean net return", "fees (USDT)"]
MONTH_HEADER = ["run", "month (UTC)", "trades", "win rate", "net PnL (USDT)", "return on month-start equity"]
REFUSAL_HEADER = ["run", "reason", "signals refused", "first", "last"]
MIN_REFUSED_TO_CALL_BLOCKED = 10  # fewer refusals after the last entry say nothing about the account
TRADE_HEADER = ["#", "pair", "entry (UTC)", "exit (UTC)", "held", "entry price", "exit price", "exit reason",
                "net return", "net PnL (USDT)", "fees (USDT)"]


@dataclass(frozen=True)
class RunTrades:
    """What the breakdown reads of one run."""
    name: str
    trades: Sequence[CompletedTrade]
    equity: Sequence[tuple[int, float]]
    refusals: Sequence[Refusal] = ()


def _month(time_ms: int) -> str:
    return datetime.fromtimestamp(time_ms / 1000, tz=UTC).strftime("%Y-%m")


def _group_row(run: str, name: str, trades: Sequence[CompletedTrade]) -> Row:
    wins = sum(t.is_win for t in trades)
    mean = sum(t.pnl_pct for t in trades) / len(trades)
    return [run, name, str(len(trades)), f"{wins / len(trades):.1%}",
            f"{sum(t.pnl_usdt for t in trades):+.4f}", f"{mean:+.3f}%",
            f"{sum(t.fees_usdt for t in trades):.4f}"]


def _grouped(runs: Iterable[RunTrades], key: Callable[[CompletedTrade], str]) -> list[Row]:
    rows = []
    for run in runs:
        groups: dict[str, list[CompletedTrade]] = defaultdict(list)
        for trade in run.trades:
            groups[key(trade)].append(trade)
        rows += [_group_row(run.name, name, groups[name]) for name in sorted(groups)]
    return rows


def by_pair(runs: Iterable[RunTrades]) -> list[Row]:
    return _grouped(runs, lambda t: t.symbol)


def by_exit_reason(runs: Iterable[RunTrades]) -> list[Row]:
    return _grouped(runs, lambda t: str(t.exit_reason))


def month_start_equity(equity: Sequence[tuple[int, float]]) -> dict[str, float]:
    """Each month's first equity mark (the marks are in time order)."""
    out: dict[str, float] = {}
    for time_ms, value in equity:
        out.setdefault(_month(time_ms), value)
    return out


def by_month(runs: Iterable[RunTrades]) -> list[Row]:
    """Trades by the month they closed in; the return is that PnL over the month's first equity mark."""
    rows = []
    for run in runs:
        starts = month_start_equity(run.equity)
        groups: dict[str, list[CompletedTrade]] = defaultdict(list)
        for trade in run.trades:
            groups[_month(trade.exit_time_ms)].append(trade)
        for month in sorted(groups):
            trades = groups[month]
            pnl = sum(t.pnl_usdt for t in trades)
            base = starts.get(month, math.nan)
            share = f"{pnl / base:+.2%}" if base and math.isfinite(base) else "n/a"
            wins = sum(t.is_win for t in trades)
            rows.append([run.name, month, str(len(trades)), f"{wins / len(trades):.1%}", f"{pnl:+.4f}",
                         share])
    return rows


def trade_returns_pct(trades: Sequence[CompletedTrade]) -> list[float]:
    return [t.pnl_pct for t in trades]


def trade_list(trades: Sequence[CompletedTrade], limit: int) -> list[Row]:
    return [[str(i), t.symbol, iso_minute(t.entry_time_ms), iso_minute(t.exit_time_ms),
             f"{t.duration_sec:.0f} s", f"{t.entry_price:.8g}", f"{t.exit_price:.8g}", str(t.exit_reason),
             f"{t.pnl_pct:+.3f}%", f"{t.pnl_usdt:+.4f}", f"{t.fees_usdt:.4f}"]
            for i, t in enumerate(trades[:limit], start=1)]


def refusal_rows(runs: Iterable[RunTrades]) -> list[Row]:
    rows = []
    for run in runs:
        counts = Counter(r.kind for r in run.refusals)
        for kind, count in counts.most_common():
            mine = [r for r in run.refusals if r.kind == kind]
            rows.append([run.name, kind_label(kind), str(count), iso_minute(mine[0].time_ms),
                         iso_minute(mine[-1].time_ms)])
    return rows


def blocked_from(run: RunTrades) -> str | None:
    """The plain sentence when, from some minute on, every signal was refused for one reason and no trade
    opened again (e.g. the account became too small for the exchange minimum); None otherwise."""
    last_entry = max((t.entry_time_ms for t in run.trades), default=-1)
    after = [r for r in run.refusals if r.time_ms > last_entry]
    kinds = {r.kind for r in after}
    if len(after) < MIN_REFUSED_TO_CALL_BLOCKED or len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind not in CAPITAL_KINDS | {"daily_loss_limit", "kill_switch"}:
        return None  # open positions or trade counts: passing limits, not an account that cannot trade
    sentence = (f"{run.name}: from {iso_minute(after[0].time_ms)} every entry was refused: "
                f"{kind_label(kind)} ({len(after)} signals refused to the end of the data).")
    if kind in CAPITAL_KINDS:
        sentence += " The account had become too small to trade."
    return sentence


def monthly_equity_change_pct(equity: Sequence[tuple[int, float]]) -> list[tuple[str, float]]:
    """Each month's equity change in percent: its last mark over the previous month's last (the first mark
    for the first month). Counts open positions at market, so buy-and-hold compares."""
    ends: dict[str, float] = {}
    for time_ms, value in equity:
        ends[_month(time_ms)] = value
    out, base = [], equity[0][1] if equity else math.nan
    for month, end in ends.items():
        out.append((month, (end / base - 1) * 100 if base else math.nan))
        base = end
    return out
