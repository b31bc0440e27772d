"""The files of one backtest run, in its own folder (reports/backtest-<UTC time>/):

- trades.csv / trades.jsonl: the model run's trades (spec 4.9 columns), written by the trade journal
  as they closed; each baseline's in its own sub-folder (a run without trades gets the header alone);
- equity.csv: time, time_ms, equity (USDT, positions marked at the last price), drawdown_pct;
- summary.json: the figures of the run and of its baselines, as given (JSON-ready records);
- <baseline>/equity.csv and buy-and-hold/equity.csv: the same columns for the baselines and the benchmark
  (written by `write_equity_csv`, beside their trades);
- refusals.csv: every signal the risk book refused (run, time, pair, reason), when any was;
- report.html: plotly charts (every run and buy-and-hold on one equity chart, drawdowns, months, trade
  returns) and tables (figures side by side, months, pairs, exit reasons, risk refusals, costs, trades);
  plotly.js is embedded, so it opens offline (backtest_report_html.py).
The content arrives as plain rows and records: this adapter only lays it out.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from adapters.storage.backtest_report_html import ReportContent as ReportContent
from adapters.storage.backtest_report_html import Section as Section
from adapters.storage.backtest_report_html import render
from adapters.storage.trade_journal import CSV_COLUMNS

EQUITY_COLUMNS = ("time", "time_ms", "equity", "drawdown_pct")
REFUSAL_COLUMNS = ("run", "time", "time_ms", "symbol", "reason")


def _iso(time_ms: int, spec: str = "milliseconds") -> str:
    return datetime.fromtimestamp(time_ms / 1000, tz=UTC).isoformat(timespec=spec)


def drawdown_curve(equity: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    peak, out = -math.inf, []
    for time_ms, value in equity:
        peak = max(peak, value)
        out.append((time_ms, (peak - value) / peak * 100 if peak > 0 else 0.0))
    return out


def write_equity_csv(path: Path, equity: Sequence[tuple[int, float]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(EQUITY_COLUMNS)
        for (time_ms, value), (_, drawdown) in zip(equity, drawdown_curve(equity), strict=True):
            writer.writerow([_iso(time_ms), time_ms, f"{value:.8f}", f"{drawdown:.6f}"])


def ensure_trades_csv(folder: Path) -> Path:
    """A run without any trade still gets its trades.csv (the header alone)."""
    path = folder / "trades.csv"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(",".join(CSV_COLUMNS) + "\n", encoding="utf-8")
    return path


def write_refusals_csv(path: Path, refusals: Sequence[tuple[str, int, str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(REFUSAL_COLUMNS)
        writer.writerows([run, _iso(time_ms), time_ms, symbol, reason]
                         for run, time_ms, symbol, reason in refusals)


def write_report(folder: Path, content: ReportContent) -> dict[str, Path]:
    """Write equity.csv, summary.json, refusals.csv (when any) and report.html beside the journal's
    trades.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"trades": ensure_trades_csv(folder), "equity": folder / "equity.csv",
             "summary": folder / "summary.json", "html": folder / "report.html"}
    write_equity_csv(paths["equity"], content.equity)
    paths["summary"].write_text(json.dumps(
        {"title": content.title, "start_ms": content.start_ms, "end_ms": content.end_ms,
         "runs": list(content.records)}, indent=2, allow_nan=False), encoding="utf-8")
    if content.refusals:
        paths["refusals"] = folder / "refusals.csv"
        write_refusals_csv(paths["refusals"], content.refusals)
    paths["html"].write_text(render(content), encoding="utf-8")
    return paths
