"""report.html of a backtest, with plotly: every run and buy-and-hold on one equity chart, their drawdowns,
the equity change per month, the distribution of trade returns, then the tables (figures side by side,
months, pairs, exit reasons, risk refusals, costs) and the model's trade list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go

from adapters.storage.plotly_page import COLOURS, figure_html, page, table_html, thin

Curve = tuple[str, Sequence[tuple[int, float]]]
Section = tuple[str, Sequence[str], Sequence[Sequence[str]], str]  # (title, header, rows, text when empty)


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
    headline: Sequence[str] = ()  # what a reader must know first (the model did not trade, ...)
    curves: Sequence[tuple[str, Sequence[tuple[int, float]]]] = ()  # every run's equity, then the benchmark
    benchmark: str = "buy and hold"  # the curve drawn dashed
    monthly_change: Sequence[tuple[str, Sequence[tuple[str, float]]]] = ()  # (curve, (month, % change))
    returns: Sequence[tuple[str, Sequence[float]]] = ()  # (run, each trade's net return %)
    sections: Sequence[Section] = ()  # the tables after the charts
    refusals: Sequence[tuple[str, int, str, str]] = ()  # (run, time ms, symbol, reason)
    quote_asset: str = "USDT"  # the run's (trading.quote_asset): the unit of every equity figure


def _times(points: Sequence[tuple[int, float]]) -> npt.NDArray[np.datetime64]:
    """UTC times as numpy datetimes: plotly takes arrays far faster than lists of objects."""
    return np.array([t for t, _ in points], dtype="datetime64[ms]")


def _drawdown(points: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    peak, out = float("-inf"), []
    for time_ms, value in points:
        peak = max(peak, value)
        out.append((time_ms, -(peak - value) / peak * 100 if peak > 0 else 0.0))
    return out


def _style(index: int, name: str, benchmark: str) -> dict[str, object]:
    if name == benchmark:
        return {"color": "#57606a", "width": 1}
    return {"color": COLOURS[index % len(COLOURS)], "width": 2.5 if index == 0 else 1.5}


def _lines(curves: Sequence[Curve], title: str, unit: str, benchmark: str, end_ms: int, *,
           drawdown: bool) -> str:
    figure = go.Figure()
    for i, (name, marks) in enumerate(curves):
        if not marks:
            continue
        # equity is recorded where it changed: hold the last value to the end, so a run that stopped
        # trading is seen flat to the end rather than ending early
        points = [*marks, (end_ms, marks[-1][1])] if marks[-1][0] < end_ms else list(marks)
        shown = thin(_drawdown(points) if drawdown else points)
        flat = not drawdown and len({round(v, 9) for _, v in points}) == 1
        figure.add_trace(go.Scatter(x=_times(shown), y=np.array([v for _, v in shown]), mode="lines",
                                    name=f"{name} (no trade: flat)" if flat else name,
                                    line_shape="linear" if name == benchmark else "hv",
                                    line=_style(i, name, benchmark)))
    figure.update_layout(title=title, yaxis_title=unit, hovermode="x unified")
    return figure_html(figure)


def _monthly(content: ReportContent) -> str:
    figure = go.Figure()
    for i, (name, months) in enumerate(content.monthly_change):
        figure.add_trace(go.Bar(x=[m for m, _ in months], y=[v for _, v in months], name=name,
                                marker_color="#57606a" if name == content.benchmark else COLOURS[i % 6]))
    figure.update_layout(title="Equity change per month (%)", barmode="group", yaxis_title="%",
                         xaxis_type="category")
    return figure_html(figure, height=320)


def _returns(content: ReportContent) -> str:
    traded = [(i, name, values) for i, (name, values) in enumerate(content.returns) if values]
    if not traded:
        return "<p class='muted'>No run traded: no trade returns to show.</p>"
    figure = go.Figure()
    for i, name, values in traded:
        figure.add_trace(go.Histogram(x=list(values), name=f"{name} ({len(values)} trades)", opacity=0.6,
                                      marker_color=COLOURS[i % len(COLOURS)], nbinsx=60))
    figure.add_vline(x=0, line_dash="dot", line_color="#6e7781")
    figure.update_layout(title="Net return per trade (%, after fees)", barmode="overlay",
                         xaxis_title="net return %", yaxis_title="trades")
    return figure_html(figure, height=340)


def _iso(time_ms: int) -> str:
    return datetime.fromtimestamp(time_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M")


def _unit(label: str, quote: str) -> str:
    """A column or row label in the run's quote asset: the backtest wing names its money columns
    "(USDT)" whatever the quote (application/backtest/summary.py, breakdown.py)."""
    return label.replace("(USDT)", f"({quote})")


def render(c: ReportContent) -> str:
    q = c.quote_asset
    head = "".join(f"<p class='warn'>{escape(line)}</p>" for line in c.headline)
    figures = table_html(["", *c.run_names], [[_unit(label, q), *values] for label, values in c.table])
    notes = "".join(f"<li>{escape(n)}</li>" for n in c.notes) or "<li>none</li>"
    costs = table_html(["run", "fill rates", "fees paid per asset"], [list(row) for row in c.costs])
    sections = "".join(f"<h2>{escape(title)}</h2>" + table_html([_unit(h, q) for h in header], rows,
                                                                 scroll=len(rows) > 25, empty=empty)
                       for title, header, rows, empty in c.sections)
    body = f"""<p>{_iso(c.start_ms)} to {_iso(c.end_ms)} UTC. PnL is after fees; entries fill at the next
bar's open plus slippage; when one bar touches both the stop-loss and the take-profit, the stop-loss is
assumed first. Buy-and-hold: the capital split equally over the pairs at the start (entry fee and
slippage paid), marked at market.</p>
{head}
<h2>Figures side by side</h2>{figures}
<h2>Equity</h2>{_lines(c.curves, f"Equity ({c.quote_asset}, positions marked at market)", c.quote_asset,
                        c.benchmark, c.end_ms, drawdown=False)}
{_lines(c.curves, "Drawdown (% below the running peak)", "%", c.benchmark, c.end_ms, drawdown=True)}
<h2>Months</h2>{_monthly(c)}
<h2>Trade returns</h2>{_returns(c)}
<h2>Risk events and notes</h2><ul>{notes}</ul>
{sections}
<h2>Fill rates and fees paid (simulator)</h2>{costs}"""
    return page(c.title, body)
