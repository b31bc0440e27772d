"""The files of one backtest run, in its own folder (reports/backtest-<UTC time>/):

- trades.csv / trades.jsonl: the model run's trades (spec 4.9 columns), written by the trade journal
  as they closed; each baseline's in its own sub-folder (a run without trades gets the header alone);
- equity.csv: time, time_ms, equity (USDT, positions marked at the last price), drawdown_pct;
- summary.json: the figures of the run and of its baselines, as given (JSON-ready records);
- report.html: the side-by-side table, the equity and drawdown charts (inline SVG), notes (risk events,
  why a run did not trade), fill rates and fees per asset.
The content arrives as plain rows and records: this adapter only lays it out.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from adapters.storage.backtest_report_svg import step_chart
from adapters.storage.trade_journal import CSV_COLUMNS

EQUITY_COLUMNS = ("time", "time_ms", "equity", "drawdown_pct")


@dataclass(frozen=True)
class ReportContent:
    title: str
    start_ms: int
    end_ms: int
    equity: Sequence[tuple[int, float]]  # the main run's (time ms, equity)
    run_names: Sequence[str]
    table: Sequence[tuple[str, Sequence[str]]]  # (figure, one cell per run)
    records: Sequence[Mapping[str, Any]]  # one JSON-ready record per run
    notes: Sequence[str] = ()
    costs: Sequence[tuple[str, str, str]] = field(default_factory=tuple)  # (run, fill rates, fees)


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


def write_report(folder: Path, content: ReportContent) -> dict[str, Path]:
    """Write equity.csv, summary.json and report.html beside the journal's trades.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"trades": ensure_trades_csv(folder), "equity": folder / "equity.csv",
             "summary": folder / "summary.json", "html": folder / "report.html"}
    write_equity_csv(paths["equity"], content.equity)
    paths["summary"].write_text(json.dumps(
        {"title": content.title, "start_ms": content.start_ms, "end_ms": content.end_ms,
         "runs": list(content.records)}, indent=2, allow_nan=False), encoding="utf-8")
    paths["html"].write_text(_html(content), encoding="utf-8")
    return paths


def _html(c: ReportContent) -> str:
    head = "".join(f"<th>{escape(name)}</th>" for name in c.run_names)
    rows = "".join(f"<tr><th>{escape(label)}</th>" + "".join(f"<td>{escape(v)}</td>" for v in values)
                   + "</tr>" for label, values in c.table)
    notes = "".join(f"<li>{escape(n)}</li>" for n in c.notes) or "<li>none</li>"
    costs = "".join(f"<tr><th>{escape(run)}</th><td>{escape(rates)}</td><td>{escape(fees)}</td></tr>"
                    for run, rates, fees in c.costs)
    equity = step_chart(c.equity, title="Equity (USDT, model run)", unit="", colour="#1f6feb",
                        end_ms=c.end_ms)
    drawdown = step_chart([(t, -d) for t, d in drawdown_curve(c.equity)], title="Drawdown (% below peak)",
                          unit="%", colour="#cf222e", end_ms=c.end_ms, fill=True)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(c.title)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}th{{text-align:left}}</style></head>
<body><h1>{escape(c.title)}</h1>
<p>{_iso(c.start_ms, "minutes")} to {_iso(c.end_ms, "minutes")} (UTC). PnL is after fees; entries fill at
the next bar's open plus slippage; when one bar touches both the stop-loss and the take-profit, the
stop-loss is assumed first.</p>
<table><tr><th></th>{head}</tr>{rows}</table>
<h2>Equity and drawdown</h2>{equity}<br>{drawdown}
<h2>Risk events and notes</h2><ul>{notes}</ul>
<h2>Fill rates and fees paid (simulator)</h2><table><tr><th>run</th><th>fill rates</th><th>fees</th></tr>
{costs}</table></body></html>
"""
