"""The edge report on disk: edge.json (every figure), edge.md (the tables) and edge.html (plotly charts of
the net return per decile per period beside the baselines, then the same tables; opens offline).

Tables arrive as (title, header, rows) of text (application/research/report_text.py builds them) and are
rendered here to Markdown and HTML; the JSON payload is written as given and read back for the charts.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from adapters.storage.plotly_page import COLOURS, figure_html, page, table_html

Table = tuple[str, list[str], list[list[str]]]
TITLE = "CryptoScalper edge report"
BASELINES = (("model: EV gate", "EV gate trades"), ("random", "random entries"),
             ("scanner", "scanner rule alone"), ("all bars", "all bars"))


def markdown(title: str, intro: Sequence[str], tables: Sequence[Table]) -> str:
    out = [f"# {title}", ""] if title else []
    out += [f"- {line}" for line in intro] + ([""] if intro else [])
    for name, header, rows in tables:
        out += [f"## {name}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(row) + " |" for row in rows] + [""]
    return "\n".join(out)


def _period_chart(fold: dict[str, Any], title: str | None = None) -> str:
    """Mean net return per trade of each decile of expected value, with the gated trades and the baselines
    as horizontal lines: an edge shows as rising bars that end above the baselines."""
    period = title or fold.get("bounds", {}).get("test_period", "?")
    rows = {r["name"]: r for r in fold.get("rows", [])}
    deciles = [rows[f"model decile {i}"] for i in range(1, 11) if f"model decile {i}" in rows]
    figure = go.Figure(go.Bar(x=[f"D{i}" for i in range(1, len(deciles) + 1)],
                              y=[r["mean_pct"] for r in deciles], name="model deciles (EV rank)",
                              marker_color=COLOURS[0],
                              hovertext=[f"{r['count']:,} trades" for r in deciles]))
    for i, (prefix, label) in enumerate(BASELINES, start=1):
        row = next((r for name, r in rows.items() if name.startswith(prefix)), None)
        if row is not None and row.get("mean_pct") is not None:
            figure.add_trace(go.Scatter(x=["D1", f"D{max(len(deciles), 1)}"], y=[row["mean_pct"]] * 2,
                                        mode="lines", name=f"{label} ({row['count']:,})",
                                        line={"color": COLOURS[i % len(COLOURS)], "dash": "dash"}))
    figure.add_hline(y=0, line_color="#6e7781", line_width=1)
    figure.update_layout(title=f"{period}: mean net return per trade (%), out of time",
                         xaxis_title="decile of expected value (D10 = highest)", yaxis_title="% per trade")
    return figure_html(figure, height=360)


def _summary_chart(folds: Sequence[dict[str, Any]]) -> str:
    figure = go.Figure()
    periods = [f.get("bounds", {}).get("test_period", "?") for f in folds]
    for i, (prefix, label) in enumerate((("model decile 10", "model top decile"), *BASELINES)):
        values = []
        for fold in folds:
            row = next((r for r in fold.get("rows", []) if r["name"].startswith(prefix)), None)
            values.append(None if row is None else row.get("mean_pct"))
        figure.add_trace(go.Bar(x=periods, y=values, name=label, marker_color=COLOURS[i % len(COLOURS)]))
    figure.add_hline(y=0, line_color="#6e7781", line_width=1)
    figure.update_layout(title="Mean net return per trade by test period (%)", barmode="group",
                         xaxis_type="category", yaxis_title="% per trade")
    return figure_html(figure, height=360)


def _html(title: str, intro: Sequence[str], tables: Sequence[Table], payload: dict[str, Any]) -> str:
    folds = [f for f in payload.get("folds", []) if isinstance(f, dict)]
    charts = (_summary_chart(folds) + "".join(_period_chart(f) for f in folds)) if folds else (
        "<p class='muted'>No test period: nothing to chart.</p>")
    own = payload.get("committed_model")
    if isinstance(own, dict) and own.get("rows"):
        charts += _period_chart(own, f"model {own.get('model_version', '?')} (the one the bot loads) on "
                                     f"{own.get('period', '?')}")
    body = ["<ul>", *(f"<li>{html.escape(line)}</li>" for line in intro), "</ul>", "<h2>Charts</h2>", charts]
    body += [f"<h2>{html.escape(name)}</h2>{table_html(header, rows)}" for name, header, rows in tables]
    return page(title, "\n".join(body))


def write_edge_report(folder: Path, intro: Sequence[str], tables: Sequence[Table],
                      payload: dict[str, Any]) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / "edge.json", "md": folder / "edge.md", "html": folder / "edge.html"}
    paths["json"].write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    paths["md"].write_text(markdown(TITLE, intro, tables) + "\n", encoding="utf-8")
    paths["html"].write_text(_html(TITLE, intro, tables, payload), encoding="utf-8")
    return paths
