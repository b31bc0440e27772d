"""The edge report's tables as text cells (adapters/training/edge_report renders them): a summary line
per test period, then per period the exit-policy search on validation and the test figures (deciles of
expected value, the gated trades, the baselines, cheaper execution), the committed model's own test
period, and the reproduction of issue 8's first measurement."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from application.research.committed_model import CommittedFigures
from application.research.period_rows import EdgeRow
from application.research.reproduce_spec_label import Reproduction
from application.research.walk_forward import EdgeReport, FoldResult
from domain.symbol_costs import SymbolCosts

Table = tuple[str, list[str], list[list[str]]]
ROW_HEADER = ["trades", "count", "mean net %/trade", "win rate", "mean EV %", "sum %", "drawdown %"]


def day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")


def pct(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:+.{digits}f}"


def num(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def edge_row(row: EdgeRow) -> list[str]:
    return [row.name, f"{row.count:,}", pct(row.mean_pct), num(row.win_rate), pct(row.mean_expected_pct),
            f"{row.total_pct:,.1f}", f"{row.max_drawdown_pct:,.1f}"]


def _mean_win(row: EdgeRow) -> str:
    return f"{pct(row.mean_pct)} / {num(row.win_rate, 2)} / {row.count:,}"


def summary_table(report: EdgeReport) -> Table:
    rows = []
    for f in report.folds:
        gate = "closed" if f.gate.threshold_pct is None else f"> {f.gate.threshold_pct:.3f}%"
        rows.append([f.bounds.test_period, f.policy.name, gate, f"{num(f.test_auc)} / {num(f.atr_auc)}",
                     *(_mean_win(f.row(p)) for p in ("model: EV gate", "model decile 10", "random",
                                                     "scanner", "all bars")),
                     "yes" if f.positive else "no", "yes" if f.beats_baselines else "no"])
    return ("Walk-forward summary (test periods; mean net % per trade / win rate / count)",
            ["test period", "exit policy (validation)", "EV gate", "AUC model / ATR%", "EV gate trades",
             "model top decile", "random entries", "scanner rule alone", "all bars", "positive",
             "beats both"], rows)


def fold_tables(f: FoldResult) -> list[Table]:
    b = f.bounds
    search = [[t.policy, "closed" if t.gate.threshold_pct is None else f"> {t.gate.threshold_pct:.4f}%",
               f"{t.gate.stats.count:,}", pct(t.gate.stats.mean_pct), f"{t.gate.stats.objective:,.1f}",
               pct(t.selection_top_decile.mean_pct), num(t.selection_top_decile.win_rate),
               "<-" if t.policy == f.policy.name else ""] for t in f.trials]
    where = (f"train {', '.join(b.train_periods)} from {day(b.train_start_ms)} (every {b.stride} min), "
             f"validation A {day(b.validation_start_ms)}, B {day(b.selection_start_ms)} to "
             f"{day(b.validation_end_ms)}")
    return [
        (f"{b.test_period}: exit-policy search on validation B ({where})",
         ["exit policy", "EV gate", "gated trades", "mean net %", "net - drawdown", "top decile mean %",
          "top decile win", "chosen"], search),
        (f"{b.test_period}: test, out of time ({f.test_rows:,} tradable bars; policy {f.policy.name}; "
         f"gate {f.gate.rationale})", ROW_HEADER, [edge_row(r) for r in f.rows]),
        (f"{b.test_period}: cheaper execution (same trades, other costs)", ROW_HEADER,
         [edge_row(r) for r in f.variant_rows]),
    ]


def reproduction_table(r: Reproduction) -> Table:
    head = [["AUC: spec model vs spec label", num(r.spec_auc)],
            ["AUC: ATR% alone vs spec label", num(r.spec_atr_auc)],
            ["AUC: outcome model vs trade wins", num(r.outcome_auc)],
            ["AUC: ATR% alone vs trade wins", num(r.outcome_atr_auc)]]
    rows = [[*edge_row(row)[:4]] for row in r.rows]
    return (f"Reproduction of issue 8 on {r.period} (time split 70/15/15, test {r.test_rows:,} bars): "
            "AUCs, then mean net % per trade / win rate of the ranked entries",
            ["figure", "AUC or trades", "mean net %/trade", "win rate"], [[*h, "", ""] for h in head] + rows)


def committed_table(c: CommittedFigures) -> Table:
    gate = "EV gate off" if c.margin_pct is None else f"EV > {c.margin_pct:.4f}% (settings margin, card gate)"
    return (f"Model {c.model_version} (the one the bot loads) on its own test period {c.period}: policy "
            f"{c.policy}, {gate}", ROW_HEADER, [edge_row(r) for r in c.rows])


def report_tables(report: EdgeReport, reproduction: Reproduction | None,
                  committed: CommittedFigures | None = None) -> list[Table]:
    tables = [summary_table(report)]
    if committed is not None:
        tables.append(committed_table(committed))
    for fold in report.folds:
        tables += fold_tables(fold)
    if reproduction is not None:
        tables.append(reproduction_table(reproduction))
    return tables


def intro_lines(report: EdgeReport, meta: dict[str, Any]) -> list[str]:
    c = report.config
    costs = c.costs.default if isinstance(c.costs, SymbolCosts) else c.costs
    own = sorted(c.costs.own) if isinstance(c.costs, SymbolCosts) else []
    lines = [report.verdict(),
             f"Command: {meta.get('command', 'n/a')}; runtime {meta.get('seconds', report.seconds):.0f} s",
             f"Periods: {'; '.join(meta.get('periods', []))}",
             f"Costs: entry fee {costs.entry_fee:.4%}, take-profit fee {costs.take_profit_fee:.4%}, exit fee "
             f"{costs.exit_fee:.4%}, slippage {costs.slippage_pct:.4%} on market legs (round trip "
             f"{costs.round_trip_pct:.3f}%)" + (f"; at their own rates (execution.symbol_fees): "
                                                f"{', '.join(own)}" if own else ""),
             "Trades: entered at the next bar's open plus slippage; stop first when a bar touches both; "
             "take-profit only when a later high trades through it (domain/outcome.py)",
             f"Exit policies tried: {', '.join(p.name for p in c.policies)}; chosen per period on "
             "validation B by net PnL minus drawdown of the gated trades (never on the test period)",
             f"EV gate: trade when the calibrated expected net return > threshold >= {c.margin_pct}% "
             f"(settings margin), threshold fitted on validation B with >= {c.min_trades} trades and a "
             "positive mean, else closed (no trade)",
             "Figures count every bar's trade independently (overlapping trades, equal stakes): the real "
             "backtest (one position, sizing, risk limits) trades far fewer of them",
             "'beats both' = the gated trades' mean > random entries' and scanner rule's means"]
    return lines
