"""The model report's plotly charts: reliability (calibrated and raw against the diagonal), precision and
signal count by probability threshold, AUC per month against the volatility baseline, feature importance
and the walk-forward folds. Each takes the figures the report's JSON holds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from adapters.storage.plotly_page import COLOURS, figure_html


def reliability(calibrated: Sequence[Mapping[str, Any]], raw: Sequence[Mapping[str, Any]]) -> str:
    figure = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect calibration",
                                  line={"color": "#8c959f", "dash": "dot"}))
    for name, table, colour in (("calibrated", calibrated, COLOURS[0]), ("raw LightGBM", raw, COLOURS[1])):
        points = [r for r in table if r.get("count")]
        total = sum(int(r["count"]) for r in points) or 1
        figure.add_trace(go.Scatter(
            x=[r["mean_predicted"] for r in points], y=[r["observed"] for r in points], mode="lines+markers",
            name=name, line={"color": colour},
            marker={"size": [6 + 24 * (int(r["count"]) / total) ** 0.5 for r in points]},
            hovertext=[f"{int(r['count']):,} rows" for r in points]))
    figure.update_layout(title="Reliability on the test period", xaxis_title="mean predicted probability",
                         yaxis_title="observed frequency", xaxis_range=[0, 1], yaxis_range=[0, 1])
    return figure_html(figure, height=420)


def precision_by_threshold(rows: Sequence[Mapping[str, Any]]) -> str:
    thresholds = [r["threshold"] for r in rows]
    figure = go.Figure(go.Bar(x=thresholds, y=[r["signals_per_day"] for r in rows], name="signals a day",
                              marker_color="#d0d7de", yaxis="y2"))
    figure.add_trace(go.Scatter(x=thresholds, y=[r["precision"] for r in rows], mode="lines+markers",
                                name="precision", line={"color": COLOURS[0]}))
    figure.update_layout(title="Test: precision and signals a day by calibrated probability threshold",
                         xaxis_title="p >=", yaxis={"title": "precision", "side": "left"},
                         yaxis2={"title": "signals a day", "overlaying": "y", "side": "right"})
    return figure_html(figure)


def auc_per_month(per_month: Mapping[str, Mapping[str, Any]]) -> str:
    months = list(per_month)
    figure = go.Figure()
    for key, name, colour in (("auc", "model AUC", COLOURS[0]), ("baseline_auc", "ATR% alone", COLOURS[3])):
        figure.add_trace(go.Bar(x=months, y=[per_month[m].get(key) for m in months], name=name,
                                marker_color=colour))
    figure.add_hline(y=0.5, line_dash="dot", line_color="#6e7781")
    figure.update_layout(title="Test: AUC per month (0.5 = chance)", barmode="group", xaxis_type="category",
                         yaxis_range=[0.4, 1])
    return figure_html(figure, height=340)


def importance(shares: Mapping[str, float], top: int = 20) -> str:
    items = list(shares.items())[:top][::-1]
    figure = go.Figure(go.Bar(x=[v for _, v in items], y=[k for k, _ in items], orientation="h",
                              marker_color=COLOURS[2]))
    figure.update_layout(title=f"Feature importance (share of split gain, top {top})", xaxis_title="share")
    return figure_html(figure, height=max(320, 22 * len(items) + 100))


def folds(rows: Sequence[tuple[str, float | None, float | None]]) -> str:
    """(fold label, test AUC, baseline AUC) per walk-forward fold."""
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=[r[0] for r in rows], y=[r[1] for r in rows], mode="lines+markers",
                                name="test AUC", line={"color": COLOURS[0]}))
    figure.add_trace(go.Scatter(x=[r[0] for r in rows], y=[r[2] for r in rows], mode="lines+markers",
                                name="ATR% alone", line={"color": COLOURS[3]}))
    figure.update_layout(title="Walk-forward folds: test AUC (the last fold is the published model)",
                         xaxis_type="category")
    return figure_html(figure, height=320)
